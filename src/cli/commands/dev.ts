import type { Command } from 'commander';
import { loadConfig } from '../../config.ts';
import { sampleFunction, startLocalStack } from '../../local-stack.ts';
import { installWorkerRuntime } from '../../worker.ts';
import { untilSignal } from '../run-until-signal.ts';

export function registerDevCommand(program: Command): void {
  program
    .command('dev')
    .description(
      'Start the local stack: Temporal dev server, Lambda simulator with a sample function, worker and API',
    )
    .action(async () => {
      const config = loadConfig();
      installWorkerRuntime(config);
      const log = (line: string) => console.log(`ramp: ${line}`);
      const stack = await startLocalStack(config, log);
      const token = config.api.adminToken ? ` -H "Authorization: Bearer $RAMP_API_TOKEN"` : '';
      console.log(
        [
          '',
          'Ramp local stack is up.',
          `  Dashboard:      ${stack.api.url}/ui`,
          `  API:            ${stack.api.url}`,
          `  API docs:       ${stack.api.url}/docs`,
          `  Temporal UI:    ${stack.temporal.uiUrl ?? '(off)'}`,
          `  Temporal:       ${stack.temporal.address} (namespace ${stack.temporal.namespace})`,
          `  Lambda sim:     ${stack.sim.endpoint}   (export AWS_ENDPOINT_URL_LAMBDA=${stack.sim.endpoint} AWS_ENDPOINT_URL_CLOUDWATCH=${stack.sim.endpoint})`,
          `  Data directory: ${config.dataDir}`,
          '',
          `A sample function ${sampleFunction.name}:${sampleFunction.alias} takes steady synthetic traffic. Release to it:`,
          '',
          `  zip=$(node -e "const {zipSync}=require('fflate');process.stdout.write(Buffer.from(zipSync({'index.mjs':Buffer.from('export const handler=async()=>2')})).toString('base64'))")`,
          `  curl -s -X POST ${stack.api.url}/v1/releases${token} -H 'content-type: application/json' \\`,
          `    -d '{"function":"${sampleFunction.name}","alias":"${sampleFunction.alias}","code":{"zipFile":"'$zip'"},"strategy":{"steps":[{"weight":10,"bake":"30s"},{"weight":50,"bake":"30s"}]},"health":{"interval":"5s","metrics":{"errorRate":{"max":0.05}}}}'`,
          '',
          `  Follow it: curl -N ${stack.api.url}/v1/releases/<id>/events${token}`,
          '',
          'Press Ctrl-C to stop.',
          '',
        ].join('\n'),
      );
      await untilSignal();
      log('stopping…');
      await stack.stop();
    });
}
