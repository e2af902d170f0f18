import { type Command, Option } from 'commander';
import { loadConfig } from '../../config.ts';
import { formatDurationMs, parseDurationMs } from '../../domain/durations.ts';
import { type FaultRequest, faultRequestSchema, startSimulator } from '../../sim/index.ts';
import { CliError } from '../api-client.ts';
import { untilSignal } from '../run-until-signal.ts';

async function control(
  endpointFlag: string | undefined,
  method: string,
  path: string,
  body?: unknown,
): Promise<unknown> {
  // The standard SDK setting, read through config.ts like every variable Ramp reads.
  const endpoint = endpointFlag ?? loadConfig().lambdaEndpoint ?? 'http://127.0.0.1:4566';
  const response = await fetch(`${endpoint}/_sim/${path}`, {
    method,
    headers: { 'content-type': 'application/json' },
    ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
  }).catch((error: Error) => {
    throw new CliError(`cannot reach the simulator at ${endpoint}: ${error.message}`);
  });
  const text = await response.text();
  if (!response.ok) throw new CliError(`simulator answered ${response.status}: ${text}`);
  return text ? JSON.parse(text) : undefined;
}

/**
 * Checks a fault with the very schema the control API checks it with, so bad flags are refused here (exit
 * 2) with the same problem the simulator would give, then prints the simulator's answer as JSON.
 */
async function addFault(endpoint: string | undefined, fault: FaultRequest): Promise<void> {
  const checked = faultRequestSchema.safeParse(fault);
  if (!checked.success) {
    const problems = checked.error.issues.map(
      (issue) => `${issue.path.join('.') || 'fault'}: ${issue.message}`,
    );
    throw new CliError(`invalid fault: ${problems.join('; ')}`);
  }
  printJson(await control(endpoint, 'POST', 'faults', checked.data));
}

const printJson = (value: unknown) => console.log(JSON.stringify(value));

const number = (value: string) => Number(value);

function metricDelayOf(flag: string | undefined): number {
  if (flag === undefined) return loadConfig().localStack.simMetricDelayMs;
  try {
    return parseDurationMs(flag);
  } catch (error) {
    throw new CliError(`--metric-delay: ${(error as Error).message}`);
  }
}

export function registerSimCommand(program: Command): void {
  const sim = program
    .command('sim')
    .description(
      'Run the Lambda + CloudWatch + STS simulator, or control a running one (see docs/simulator.md)',
    )
    .option('--port <port>', 'port on 127.0.0.1 (default: a free one)', number)
    .option('--region <region>', 'default region', 'us-east-1')
    .option('--persist <file>', 'keep functions and aliases in this JSON file across restarts')
    .option('--quotas', "enforce Lambda's control-plane rates (GetFunction 100/s, others 15/s shared)")
    .option('--update-delay <ms>', 'how long updates stay InProgress', number, 1000)
    .option('--seed <n>', 'seed for routing and fault randomness', number)
    .option(
      '--metric-delay <duration>',
      'how long invocations take to reach CloudWatch, e.g. 0s (default: RAMP_SIM_METRIC_DELAY, or 60s as on AWS)',
    )
    .action(
      async (options: {
        port?: number;
        region: string;
        persist?: string;
        quotas?: boolean;
        updateDelay: number;
        seed?: number;
        metricDelay?: string;
      }) => {
        const metricDelayMs = metricDelayOf(options.metricDelay);
        const simulator = await startSimulator({
          region: options.region,
          updateDelayMs: options.updateDelay,
          metricDelayMs,
          ...(options.port !== undefined ? { port: options.port } : {}),
          ...(options.persist ? { persistPath: options.persist } : {}),
          ...(options.quotas ? { quotas: true } : {}),
          ...(options.seed !== undefined ? { seed: options.seed } : {}),
        });
        console.log(`Lambda simulator listening on ${simulator.endpoint}`);
        console.log('Point the AWS SDK or CLI at it:');
        console.log(
          `  export AWS_ENDPOINT_URL_LAMBDA=${simulator.endpoint} AWS_ENDPOINT_URL_CLOUDWATCH=${simulator.endpoint} AWS_ENDPOINT_URL_STS=${simulator.endpoint} AWS_REGION=${options.region} AWS_ACCESS_KEY_ID=test AWS_SECRET_ACCESS_KEY=test`,
        );
        console.log(
          `CloudWatch metrics land ${formatDurationMs(metricDelayMs)} after each invocation (--metric-delay, RAMP_SIM_METRIC_DELAY).`,
        );
        await untilSignal();
        await simulator.close();
      },
    );

  const endpointOption = [
    '--endpoint <url>',
    'simulator endpoint (default: AWS_ENDPOINT_URL_LAMBDA, else http://127.0.0.1:4566)',
  ] as const;
  const fault = sim.command('fault').description('Inject a fault into a running simulator');
  fault
    .command('throttle')
    .option(...endpointOption)
    .option('--operation <name>', 'e.g. UpdateAlias (default: every operation)')
    .option('--probability <p>', 'fraction of calls to throttle', number)
    .option('--count <n>', 'throttle this many calls', number)
    .option('--for <ms>', 'throttle everything for this long', number)
    .option('--retry-after <s>', 'Retry-After seconds', number, 1)
    .action(
      async (o: {
        endpoint?: string;
        operation?: string;
        probability?: number;
        count?: number;
        for?: number;
        retryAfter: number;
      }) => {
        await addFault(o.endpoint, {
          kind: 'throttle',
          ...(o.operation ? { operation: o.operation } : {}),
          ...(o.probability !== undefined ? { probability: o.probability } : {}),
          ...(o.count !== undefined ? { count: o.count } : {}),
          ...(o.for !== undefined ? { forMs: o.for } : {}),
          retryAfterSeconds: o.retryAfter,
        });
      },
    );
  const commandOf = {
    serviceError: 'service-error',
    loseResponse: 'lose-response',
    accessDenied: 'access-denied',
  } as const;
  for (const kind of ['serviceError', 'loseResponse', 'accessDenied'] as const) {
    fault
      .command(commandOf[kind])
      .option(...endpointOption)
      .requiredOption('--operation <name>')
      .option('--count <n>', 'how many calls', number, 1)
      .action(async (o: { endpoint?: string; operation: string; count: number }) => {
        await addFault(o.endpoint, { kind, operation: o.operation, count: o.count });
      });
  }
  fault
    .command('fail-update')
    .option(...endpointOption)
    .requiredOption('--function <name>')
    .option('--reason-code <code>', 'LastUpdateStatusReasonCode', 'InvalidImage')
    .option('--reason <text>', 'LastUpdateStatusReason', 'The image manifest is invalid')
    .action(async (o: { endpoint?: string; function: string; reasonCode: string; reason: string }) => {
      await addFault(o.endpoint, {
        kind: 'failNextUpdate',
        functionName: o.function,
        reasonCode: o.reasonCode,
        reason: o.reason,
      });
    });
  fault
    .command('latency')
    .description('Add latency to matching calls')
    .option(...endpointOption)
    .option('--operation <name>', 'e.g. GetFunction (default: every Lambda operation)')
    .requiredOption('--ms <ms>', 'added milliseconds', number)
    .option('--count <n>', 'only this many calls', number)
    .action(async (o: { endpoint?: string; operation?: string; ms: number; count?: number }) => {
      await addFault(o.endpoint, {
        kind: 'latency',
        ms: o.ms,
        ...(o.operation ? { operation: o.operation } : {}),
        ...(o.count !== undefined ? { count: o.count } : {}),
      });
    });
  fault
    .command('version-behaviour')
    .description('Make one version behave differently from what its package says')
    .option(...endpointOption)
    .requiredOption('--function <name>')
    .requiredOption('--function-version <n>', 'a published version or $LATEST')
    .option('--error-rate <fraction>', 'fraction of invocations that fail', number)
    .option('--latency <ms>', 'every invocation takes this long', number)
    .option('--throttle-rate <fraction>', 'fraction of invocations throttled', number)
    .action(
      async (o: {
        endpoint?: string;
        function: string;
        functionVersion: string;
        errorRate?: number;
        latency?: number;
        throttleRate?: number;
      }) => {
        await addFault(o.endpoint, {
          kind: 'versionBehaviour',
          functionName: o.function,
          version: o.functionVersion,
          ...(o.errorRate !== undefined ? { errorRate: o.errorRate } : {}),
          ...(o.latency !== undefined ? { latencyMs: o.latency } : {}),
          ...(o.throttleRate !== undefined ? { throttleRate: o.throttleRate } : {}),
        });
      },
    );
  fault
    .command('outside-change')
    .description('Someone else changes the function right before or after a call')
    .option(...endpointOption)
    .requiredOption('--function <name>')
    .requiredOption('--operation <name>', 'the call it happens around, e.g. PublishVersion')
    .addOption(
      new Option('--phase <phase>', 'before or after the call')
        .choices(['before', 'after'])
        .default('before'),
    )
    .addOption(
      new Option('--change <what>', 'what changes').choices(['code', 'config', 'alias']).default('code'),
    )
    .option('--alias <name>', 'for --change alias')
    .action(
      async (o: {
        endpoint?: string;
        function: string;
        operation: string;
        phase: 'before' | 'after';
        change: 'code' | 'config' | 'alias';
        alias?: string;
      }) => {
        await addFault(o.endpoint, {
          kind: 'outsideChange',
          functionName: o.function,
          when: { operation: o.operation, phase: o.phase },
          change: o.change,
          ...(o.alias ? { alias: o.alias } : {}),
        });
      },
    );
  fault
    .command('clear')
    .option(...endpointOption)
    .action(async (o: { endpoint?: string }) => {
      await control(o.endpoint, 'DELETE', 'faults');
      console.log('faults cleared');
    });
  sim
    .command('traffic')
    .description('Send steady invocations through an alias of a running simulator')
    .option(...endpointOption)
    .requiredOption('--function <name>')
    .option('--qualifier <alias>', 'alias or version', 'live')
    .option('--rate <n>', 'invocations per second', number, 10)
    .action(async (o: { endpoint?: string; function: string; qualifier: string; rate: number }) => {
      const traffic = { functionName: o.function, qualifier: o.qualifier, ratePerSecond: o.rate };
      printJson(await control(o.endpoint, 'POST', 'traffic', traffic));
    });
}
