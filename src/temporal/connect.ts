// No @temporalio/worker here: the API connects through this module and must not load the worker's runtime.
import { Client, Connection } from '@temporalio/client';
import type { RampConfig } from '../config.ts';
import { rampSearchAttributes } from '../domain/search-attributes.ts';
import type { Logger } from '../observability/logger.ts';

type TemporalConfig = RampConfig['temporal'];

/** Address, TLS and API key, the same for the client and (in worker.ts) the worker's native connection. */
export function connectionOptions(config: TemporalConfig) {
  return {
    address: config.address,
    ...(config.tls ? { tls: true } : {}),
    ...(config.apiKey ? { apiKey: config.apiKey } : {}),
  };
}

export async function connectClient(config: TemporalConfig): Promise<Client> {
  const connection = await Connection.connect(connectionOptions(config));
  return new Client({ connection, namespace: config.namespace });
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
