/**
 * The worker's native connection (the Rust core's), with the same address, TLS and API key as every client
 * (connect.ts) and the same bound on how long connecting may take. Separate from connect.ts because the API
 * must not load @temporalio/worker.
 */
import { NativeConnection } from '@temporalio/worker';
import type { RampConfig } from '../config.ts';
import { connectionFailure, connectionOptions } from './connect.ts';

export async function connectWorker(config: RampConfig['temporal']): Promise<NativeConnection> {
  const connecting = NativeConnection.connect(connectionOptions(config));
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error('no connection within the timeout')), config.connectTimeoutMs);
  });
  try {
    return await Promise.race([connecting, timeout]);
  } catch (error) {
    // A connection that completes after we gave up must not keep the process alive.
    void connecting.then((connection) => connection.close()).catch(() => undefined);
    throw connectionFailure(config, error);
  } finally {
    clearTimeout(timer);
  }
}
