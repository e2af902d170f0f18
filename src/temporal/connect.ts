// No @temporalio/worker here: the API connects through this module and must not load the worker's runtime.
import { Client, Connection, type DataConverter } from '@temporalio/client';
import type { PayloadCodec } from '@temporalio/common';
import { ConfigError, type RampConfig } from '../config.ts';
import { rampSearchAttributes } from '../domain/search-attributes.ts';
import type { Logger } from '../observability/logger.ts';
import { probeTemporalEndpoint } from './endpoint-probe.ts';
import { AesGcmPayloadCodec } from './payload-codec.ts';

type TemporalConfig = RampConfig['temporal'];

/**
 * Every Ramp process reaches Temporal through this module (and connect-worker.ts for the worker's native
 * connection): address, TLS, API key, connect timeout and the payload codec are decided here only.
 */
export function connectionOptions(config: TemporalConfig) {
  return {
    address: config.address,
    ...(config.tls ? { tls: config.tls } : {}),
    ...(config.apiKey ? { apiKey: config.apiKey } : {}),
  };
}

/**
 * The payload codec every client and worker uses when RAMP_PAYLOAD_KEYS is set; codecs run outside the
 * workflow sandbox, so the workflow bundle is the same with or without it.
 */
export function dataConverterOf(config: Pick<TemporalConfig, 'payloadKeys'>): DataConverter | undefined {
  const codec = payloadCodecOf(config);
  return codec ? { payloadCodecs: [codec] } : undefined;
}

/** The codec itself, for the API's `/codec/*` endpoint (the Temporal UI's remote codec). */
export function payloadCodecOf(config: Pick<TemporalConfig, 'payloadKeys'>): PayloadCodec | undefined {
  return config.payloadKeys ? new AesGcmPayloadCodec(config.payloadKeys) : undefined;
}

/**
 * Temporal could not be reached with the configured address and TLS settings. A ConfigError, so every entry
 * point reports it as one line naming the variables to check (src/cli/main.ts), not as a crash.
 */
export class TemporalConnectionError extends ConfigError {
  override name = 'TemporalConnectionError';
}

/** What to check when a connection fails: the variables that decide where and how Ramp connects. */
export function connectionFailure(config: TemporalConfig, error: unknown): TemporalConnectionError {
  const cause = error instanceof Error ? error.message : String(error);
  const hint = config.tls
    ? 'check TEMPORAL_ADDRESS and the TLS settings (TEMPORAL_TLS_CA: the CA that signed the server certificate; TEMPORAL_TLS_CERT / TEMPORAL_TLS_KEY: a client certificate the server accepts; TEMPORAL_TLS_SERVER_NAME: the name in the server certificate). A failed TLS handshake looks like this'
    : 'check TEMPORAL_ADDRESS; if the server expects TLS, set TEMPORAL_TLS=true or TEMPORAL_TLS_CA (and TEMPORAL_TLS_CERT / TEMPORAL_TLS_KEY for mTLS)';
  return new TemporalConnectionError(
    `cannot connect to Temporal at ${config.address} (TEMPORAL_ADDRESS, ${config.tls ? 'TLS' : 'no TLS'}; TEMPORAL_CONNECT_TIMEOUT ${config.connectTimeoutMs} ms): ${cause}; ${hint}`,
    { cause: error },
  );
}

export async function connectClient(config: TemporalConfig): Promise<Client> {
  let connection: Connection;
  try {
    connection = await Connection.connect({
      ...connectionOptions(config),
      connectTimeout: config.connectTimeoutMs,
    });
  } catch (error) {
    // The gRPC client only says it did not connect in time; the endpoint itself can say why.
    const found = await probeTemporalEndpoint(config, Math.min(config.connectTimeoutMs, 5_000)).catch(
      () => undefined,
    );
    throw connectionFailure(
      config,
      found ? new Error(`${(error as Error).message} (${found})`, { cause: error }) : error,
    );
  }
  const dataConverter = dataConverterOf(config);
  return new Client({ connection, namespace: config.namespace, ...(dataConverter ? { dataConverter } : {}) });
}

/**
 * Registers Ramp's search attributes where they are missing (a fresh cluster, Temporal Cloud namespaces
 * need them created in the console instead). The dev server gets them at start; this covers the rest.
 */
export async function ensureSearchAttributes(client: Client, logger: Pick<Logger, 'info'>): Promise<void> {
  const namespace = client.options.namespace;
  const existing = await client.connection.operatorService.listSearchAttributes({ namespace });
  const known = new Set([
    ...Object.keys(existing.customAttributes ?? {}),
    ...Object.keys(existing.systemAttributes ?? {}),
  ]);
  const missing = rampSearchAttributes.filter((key) => !known.has(key.name));
  if (missing.length === 0) return;
  await client.connection.operatorService.addSearchAttributes({
    namespace,
    // 2 = INDEXED_VALUE_TYPE_KEYWORD
    searchAttributes: Object.fromEntries(missing.map((key) => [key.name, 2])),
  });
  logger.info(
    { searchAttributes: missing.map((key) => key.name), namespace },
    'registered the search attributes Ramp lists releases by',
  );
}
