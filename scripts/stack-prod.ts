/**
 * `npm run stack:prod`: the production topology of docker-compose.yml on this machine, without Docker
 * (deploy/prod-stack.ts): PostgreSQL 15, the Temporal server 1.29.1, two `ramp worker` processes and
 * `ramp api`, with Ramp's simulator standing in for AWS (a sample function under steady traffic, as in
 * `npm start`). Prints where everything is; Ctrl-C stops all of it.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { LambdaClient } from '@aws-sdk/client-lambda';
import { type ProdStack, startProdStack } from '../deploy/prod-stack.ts';
import { untilSignal } from '../src/cli/run-until-signal.ts';
import { loadConfig } from '../src/config.ts';
import { ensureSampleFunction, sampleFunction, sampleZip } from '../src/local-stack.ts';
import { createLogger } from '../src/observability/logger.ts';

const config = loadConfig();
const logger = createLogger({ level: config.logLevel, name: 'ramp-stack-prod' });
// Listening from the start: a Ctrl-C while the stack comes up stops it as soon as it is up.
const stopRequested = untilSignal();
const startedAt = Date.now();
let stack: ProdStack;
try {
  stack = await startProdStack({
    simMetricDelayMs: config.localStack.simMetricDelayMs,
    log: (line) => console.error(line),
  });
} catch (error) {
  console.error(`ramp: the production stack did not start: ${(error as Error).message}`);
  process.exit(1);
}
const lambda = new LambdaClient({ ...stack.sim.clientConfig, maxAttempts: 3 });
await ensureSampleFunction(lambda, logger);
const traffic = stack.sim.traffic.start({
  functionName: sampleFunction.name,
  qualifier: sampleFunction.alias,
  ratePerSecond: 20,
});

const sampleV2 = join(stack.dir, 'hello-ramp-v2.zip');
writeFileSync(sampleV2, sampleZip({}, 'v2'));

const seconds = (ms: number | undefined) => `${((ms ?? 0) / 1000).toFixed(1)} s`;
console.log(
  [
    '',
    `Ramp's production topology is up (${seconds(Date.now() - startedAt)}; binaries from ${stack.binaries.source}).`,
    `  API:            ${stack.api.url}   (dashboard ${stack.api.url}/ui, docs ${stack.api.url}/docs)`,
    `  API token:      ${stack.apiToken}   (admin; the tokens file holds its SHA-256: ${stack.api.env.RAMP_API_TOKENS_FILE})`,
    ...stack.workers.map(
      (worker) =>
        `  Worker ${worker.replica + 1}:       pid ${worker.child.pid}, ${worker.url}/metrics and /healthz`,
    ),
    `  Temporal:       ${stack.temporal.address} (namespace ${stack.temporal.namespace}), server ${stack.binaries.server}`,
    `  PostgreSQL:     ${stack.postgres.host}:${stack.postgres.port} (user temporal, databases temporal and temporal_visibility)`,
    `  AWS stand-in:   ${stack.sim.endpoint} (Ramp's simulator: Lambda, CloudWatch, STS, S3)`,
    `  Artifacts:      ${stack.api.env.RAMP_ARTIFACT_STORE}`,
    `  Logs:           ${stack.logsDir}/ (one file per process)`,
    '',
    `A sample function ${sampleFunction.name}:${sampleFunction.alias} takes steady synthetic traffic. Release to it from another terminal:`,
    '',
    `  export RAMP_API_URL=${stack.api.url} RAMP_API_TOKEN=${stack.apiToken}`,
    `  npx ramp release start --function ${sampleFunction.name} --alias ${sampleFunction.alias} --zip ${sampleV2} --strategy Canary10Percent5Minutes`,
    '',
    'Press Ctrl-C to stop everything (workers drain for RAMP_WORKER_SHUTDOWN_GRACE first).',
    '',
  ].join('\n'),
);
await stopRequested;
console.error('ramp: stopping the API, the workers, Temporal and PostgreSQL');
traffic.stop();
lambda.destroy();
await stack.stop();
console.error('ramp: stopped');
