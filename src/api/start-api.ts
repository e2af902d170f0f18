import type { Client } from '@temporalio/client';
import type { FastifyPluginAsync } from 'fastify';
import { createArtifactStore } from '../artifacts/create-artifact-store.ts';
import type { RampConfig } from '../config.ts';
import { createLogger, type Logger } from '../observability/logger.ts';
import { createReleaseClient } from '../releases/release-client.ts';
import { createTrainClient } from '../releases/train-client.ts';
import { releaseQuery } from '../releases/visibility.ts';
import { connectClient, payloadCodecOf } from '../temporal/connect.ts';
import type { CountReleases } from './api-metrics.ts';
import { loadAuthConfig } from './auth.ts';
import { type AuditEntry, createApiServer } from './server.ts';

export interface StartedApi {
  url: string;
  close(): Promise<void>;
}

export interface StartApiOptions {
  /** Ramp's pino logger (listening on…, the open-API warning, audit lines, failures); one at the configured level by default. */
  logger?: Logger;
  audit?: (entry: AuditEntry) => void;
  /** More routes (the web dashboard), as Fastify plugins. */
  plugins?: FastifyPluginAsync[];
  /** An existing Temporal client (the local stack shares one); otherwise one is connected from config. */
  client?: Client;
}

const loopbackHosts = new Set(['127.0.0.1', '::1', 'localhost']);

export function isLoopbackHost(host: string): boolean {
  return loopbackHosts.has(host) || /^127\.\d+\.\d+\.\d+$/.test(host);
}

/** Counts releases in visibility by outcome or running state, for /metrics. */
function visibilityCounter(client: Client): CountReleases {
  return async (filter) => {
    return (await client.workflow.count(releaseQuery(filter))).count;
  };
}

/**
 * Starts the API (composition root): Temporal client, artifact store, auth from config. With no token
 * configured it refuses any address but loopback and says loudly that it is open.
 */
export async function startApi(config: RampConfig, options: StartApiOptions = {}): Promise<StartedApi> {
  const logger = options.logger ?? createLogger({ level: config.logLevel, name: 'ramp-api' });
  const auth = loadAuthConfig({ adminToken: config.api.adminToken, tokensFile: config.api.tokensFile });
  const host = config.api.host ?? '127.0.0.1';
  if (auth.isOpen && !isLoopbackHost(host)) {
    throw new Error(
      `refusing to listen on ${host} without a token: set RAMP_API_TOKEN or RAMP_API_TOKENS_FILE, or listen on 127.0.0.1`,
    );
  }
  const client = options.client ?? (await connectClient(config.temporal));
  const clientDeps = {
    client,
    artifacts: createArtifactStore(config),
    taskQueue: config.temporal.taskQueue,
    defaultRegion: config.region,
  };
  const releases = createReleaseClient(clientDeps);
  const codec = payloadCodecOf(config.temporal);
  const app = await createApiServer({
    releases,
    trains: createTrainClient(clientDeps),
    auth,
    isReady: async () => {
      await client.workflowService.getSystemInfo({});
      return true;
    },
    logger,
    ...(options.audit ? { audit: options.audit } : {}),
    countReleases: visibilityCounter(client),
    rateLimit: { max: config.api.rateLimitPerMinute, windowMs: 60_000 },
    ...(options.plugins ? { plugins: options.plugins } : {}),
    ...(config.api.publicUrl ? { publicUrl: config.api.publicUrl } : {}),
    notifyDefaults: config.notify.defaultTargets,
    ...(codec ? { codec: { codec, corsOrigins: config.api.codecCorsOrigins } } : {}),
  });
  try {
    await app.listen({ host, port: config.api.port });
  } catch (error) {
    await app.close();
    if (!options.client) await client.connection.close();
    throw error;
  }
  const address = app.server.address();
  const port = typeof address === 'object' && address ? address.port : config.api.port;
  const url = config.api.publicUrl ?? `http://${host.includes(':') ? `[${host}]` : host}:${port}`;
  if (auth.isOpen) {
    const bar = '!'.repeat(78);
    for (const line of [
      bar,
      `WARNING: no RAMP_API_TOKEN or RAMP_API_TOKENS_FILE is set: the API at ${url} is OPEN.`,
      "Anyone who can reach this machine's loopback can start, approve and abort releases.",
      'It listens on loopback only; set a token before exposing it.',
      bar,
    ])
      logger.warn(line);
  }
  logger.info({ url }, `listening on ${url} (docs at ${url}/docs, OpenAPI at ${url}/openapi.json)`);
  return {
    url,
    async close() {
      await app.close();
      if (!options.client) await client.connection.close();
    },
  };
}
