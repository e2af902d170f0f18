import type { Client } from '@temporalio/client';
import type { RampConfig } from '../config.ts';
import { createReleaseClient } from '../releases/release-client.ts';
import { connectClient } from '../temporal/connect.ts';
import { createArtifactStore } from '../worker.ts';
import { loadAuthConfig } from './auth.ts';
import { type AuditEntry, createApiServer } from './server.ts';

export interface StartedApi {
  url: string;
  close(): Promise<void>;
}

const loopback = new Set(['127.0.0.1', '::1', 'localhost']);

/**
 * Starts the API (composition root): Temporal client, artifact store, auth from config. With no token
 * configured it refuses any address but loopback and says loudly that it is open.
 */
export async function startApi(
  config: RampConfig,
  options: { log?: (line: string) => void; audit?: (entry: AuditEntry) => void; client?: Client } = {},
): Promise<StartedApi> {
  const log = options.log ?? ((line: string) => console.log(`ramp api: ${line}`));
  const auth = loadAuthConfig({ adminToken: config.api.adminToken, tokensFile: config.api.tokensFile });
  const host = config.api.host ?? '127.0.0.1';
  if (auth.isOpen && !loopback.has(host)) {
    throw new Error(
      `refusing to listen on ${host} without a token: set RAMP_API_TOKEN or RAMP_API_TOKENS_FILE`,
    );
  }
  if (auth.isOpen)
    log(
      'WARNING: no RAMP_API_TOKEN or RAMP_API_TOKENS_FILE set: the API is OPEN to anyone on this machine (loopback only)',
    );
  const client = options.client ?? (await connectClient(config.temporal));
  const releases = createReleaseClient({
    client,
    artifacts: createArtifactStore(config),
    taskQueue: config.temporal.taskQueue,
    defaultRegion: config.region,
  });
  const app = await createApiServer({
    releases,
    auth,
    isReady: async () => {
      await client.workflowService.getSystemInfo({});
      return true;
    },
    audit: options.audit ?? ((entry) => console.log(JSON.stringify({ audit: true, ...entry }))),
    ...(config.api.publicUrl ? { publicUrl: config.api.publicUrl } : {}),
  });
  await app.listen({ host, port: config.api.port });
  const address = app.server.address();
  const port = typeof address === 'object' && address ? address.port : config.api.port;
  const url = config.api.publicUrl ?? `http://${host.includes(':') ? `[${host}]` : host}:${port}`;
  log(`listening on ${url} (docs at ${url}/docs)`);
  return {
    url,
    async close() {
      await app.close();
      if (!options.client) await client.connection.close();
    },
  };
}
