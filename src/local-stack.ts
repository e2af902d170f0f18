/**
 * The all-in-one local stack behind `npm start`: a Temporal dev server persisted in the data directory
 * (releases survive a restart), and a worker. Composition root: it reads config and builds everything.
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Worker } from '@temporalio/worker';
import type { RampConfig } from './config.ts';
import { type DevServer, startDevServer } from './temporal/dev-server.ts';
import { createReleaseWorker } from './worker.ts';

export interface LocalStack {
  temporal: DevServer;
  worker: Worker;
  stop(): Promise<void>;
}

export async function startLocalStack(config: RampConfig, log: (line: string) => void): Promise<LocalStack> {
  mkdirSync(config.dataDir, { recursive: true });
  log(`data directory: ${config.dataDir}`);
  const temporal = await startDevServer({
    port: config.localStack.temporalPort,
    uiPort: config.localStack.temporalUiPort,
    dbFilename: join(config.dataDir, 'temporal.sqlite'),
    namespace: config.temporal.namespace,
    log,
  });
  const stackConfig: RampConfig = { ...config, temporal: { ...config.temporal, address: temporal.address } };
  const worker = await createReleaseWorker(stackConfig, { log: (line) => log(`worker: ${line}`) });
  const running = worker.run();
  return {
    temporal,
    worker,
    async stop() {
      worker.shutdown();
      await running;
      await temporal.stop();
    },
  };
}
