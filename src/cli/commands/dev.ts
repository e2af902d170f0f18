import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Command } from 'commander';
import { loadConfig } from '../../config.ts';
import { sampleFunction, sampleZip, startLocalStack } from '../../local-stack.ts';
import { createLogger } from '../../observability/logger.ts';
import { installWorkerRuntime } from '../../worker.ts';
import { untilSignal } from '../run-until-signal.ts';

/** A new build of the sample function and a release spec for it, so the banner's example runs as pasted. */
function writeSamples(dataDir: string): { zip: string; spec: string } {
  const directory = join(dataDir, 'samples');
  mkdirSync(directory, { recursive: true });
  const zip = join(directory, 'hello-ramp-v2.zip');
  const spec = join(directory, 'release.yaml');
  writeFileSync(zip, sampleZip({}, 'v2'));
  writeFileSync(
    spec,
    [
      `function: ${sampleFunction.name}`,
      `alias: ${sampleFunction.alias}`,
      'description: sample build v2',
      'strategy:',
      '  steps:',
      '    - { weight: 10, bake: 30s }',
      '    - { weight: 50, bake: 30s }',
      'health:',
      '  interval: 5s',
      '  metrics: { errorRate: { max: 0.05 } }',
      '',
    ].join('\n'),
  );
  return { zip, spec };
}

export function registerDevCommand(program: Command): void {
  program
    .command('dev')
    .description(
      'Start the local stack: Temporal dev server, Lambda simulator with a sample function, worker and API',
    )
    .action(async () => {
      const config = loadConfig();
      const logger = createLogger({ level: config.logLevel, name: 'ramp-dev' });
      const { sdkMetricsUrl } = await installWorkerRuntime(logger, config);
      const stack = await startLocalStack(config, logger, { sdkMetricsUrl });
      const samples = writeSamples(config.dataDir);
      const tokenLine = config.api.adminToken ? ' RAMP_API_TOKEN=<the token you set>' : '';
      console.log(
        [
          '',
          'Ramp local stack is up.',
          `  Dashboard:      ${stack.api.url}/ui`,
          `  API:            ${stack.api.url}`,
          `  API docs:       ${stack.api.url}/docs`,
          `  Temporal UI:    ${stack.temporal.uiUrl ?? '(off)'}`,
          `  Worker metrics: ${stack.workerMetrics ? `${stack.workerMetrics.url}/metrics and /healthz` : '(off: set RAMP_WORKER_METRICS_PORT)'}`,
          `  Temporal:       ${stack.temporal.address} (namespace ${stack.temporal.namespace})`,
          `  Lambda sim:     ${stack.sim.endpoint}   (export AWS_ENDPOINT_URL_LAMBDA=${stack.sim.endpoint} AWS_ENDPOINT_URL_CLOUDWATCH=${stack.sim.endpoint} AWS_ENDPOINT_URL_STS=${stack.sim.endpoint})`,
          `  Data directory: ${config.dataDir}`,
          `  Lambda budget:  ${stack.worker.budgetedQueues.map((q) => `${q.budgetPerSecond} req/s in ${q.region} (queue ${q.taskQueue})`).join(', ') || 'off'}; simulator quotas ${config.localStack.simQuotas ? "on (Lambda's real 15/s)" : 'off (RAMP_SIM_QUOTAS=true to rehearse them)'}`,
          '',
          `A sample function ${sampleFunction.name}:${sampleFunction.alias} takes steady synthetic traffic. Release to it from another terminal:`,
          '',
          `  export RAMP_API_URL=${stack.api.url}${tokenLine}`,
          `  npx ramp release start ${samples.spec} --zip ${samples.zip} --wait`,
          '',
          `  (${samples.spec} canaries 10% then 50% with 30 s bakes and an error-rate gate; edit it, or use flags:`,
          `   npx ramp release start --function ${sampleFunction.name} --alias ${sampleFunction.alias} --zip ${samples.zip} --strategy AllAtOnce)`,
          '',
          '  npx ramp release list                 # started, ended, versions, description, outcome',
          '  npx ramp release status <id>          # steps, weight, bake left, latest verdict',
          '  npx ramp release pause|resume|approve|promote|abort <id>',
          '',
          'Press Ctrl-C to stop.',
          '',
        ].join('\n'),
      );
      await untilSignal();
      logger.info('stopping');
      await stack.stop();
    });
}
