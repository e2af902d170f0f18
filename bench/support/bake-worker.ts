/**
 * The worker process of bench/concurrent-bakes.ts: one worker built the production way (createReleaseWorker,
 * config from the environment), in a process of its own so its RSS is the worker's alone. The only change
 * from `ramp worker` is a counting wrapper around the real CloudWatch health gate, so the bench can see
 * when each release was checked. Driven over IPC by the bench:
 *   → { type: 'baseline' }   the RSS before the releases start; the peak is tracked from then on
 *   → { type: 'report' }     ← { type: 'report', ... } checks per function, RSS baseline and peak
 *   → { type: 'stop' }       shuts the worker down and exits
 * Environment: the usual RAMP_* and TEMPORAL_* variables, plus RAMP_BENCH_SIM_ENDPOINT.
 */

import { createAwsClients } from '../../src/aws/lambda-clients.ts';
import { loadConfig } from '../../src/config.ts';
import type { HealthCheckInput } from '../../src/domain/health-verdict.ts';
import { createCloudWatchHealthGate } from '../../src/health/cloudwatch-health-gate.ts';
import { type HealthGate, watchSession } from '../../src/health/health-gate.ts';
import { createLogger } from '../../src/observability/logger.ts';
import { createReleaseWorker, installWorkerRuntime } from '../../src/worker.ts';

export interface BakeWorkerReport {
  type: 'report';
  /** Per function name: when each of its monitor's checks began (epoch ms, this machine's clock). */
  checks: Record<string, number[]>;
  rssBaselineBytes: number;
  rssPeakBytes: number;
  /** The worker's cached workflows when RSS peaked. */
  cachedAtPeak: number;
  cachedMax: number;
}

export type BakeWorkerMessage = { type: 'ready' } | BakeWorkerReport;

const endpoint = process.env.RAMP_BENCH_SIM_ENDPOINT;
if (!endpoint || !process.send)
  throw new Error('run by bench/concurrent-bakes.ts (IPC, RAMP_BENCH_SIM_ENDPOINT)');
const send = process.send.bind(process);

/**
 * Counts checks by stage 'step' (the bake's monitor); the fresh check before promotion is another stage.
 * The monitor checks through a watch session (the CloudWatch gate keeps what it read), so it is counted there.
 */
function countingGate(gate: HealthGate, checks: Map<string, number[]>): HealthGate {
  const count = (input: HealthCheckInput) => {
    if (input.stage !== 'step') return;
    const name = input.functionName.replace(/^.*:function:/, '');
    const list = checks.get(name) ?? [];
    list.push(Date.now());
    checks.set(name, list);
  };
  return {
    async check(input: HealthCheckInput) {
      count(input);
      return gate.check(input);
    },
    watch(input: HealthCheckInput) {
      const session = watchSession(gate, input);
      return {
        check() {
          count(input);
          return session.check();
        },
      };
    },
  };
}

const config = loadConfig(process.env);
const logger = createLogger({ level: config.logLevel, name: 'bench-worker' });
installWorkerRuntime(logger);
const aws = createAwsClients({ endpoint, credentials: { accessKeyId: 'test', secretAccessKey: 'test' } });
const checks = new Map<string, number[]>();
const worker = await createReleaseWorker(config, {
  aws,
  healthGate: countingGate(createCloudWatchHealthGate(aws), checks),
  logger,
});

let rssBaselineBytes = process.memoryUsage().rss;
let rssPeakBytes = rssBaselineBytes;
let cachedAtPeak = 0;
let cachedMax = 0;
const sampler = setInterval(() => {
  const rss = process.memoryUsage().rss;
  const cached = worker.main.getStatus().numCachedWorkflows;
  cachedMax = Math.max(cachedMax, cached);
  if (rss > rssPeakBytes) {
    rssPeakBytes = rss;
    cachedAtPeak = cached;
  }
}, 500);

process.on('message', (message: { type: string }) => {
  if (message.type === 'baseline') {
    rssBaselineBytes = process.memoryUsage().rss;
    rssPeakBytes = rssBaselineBytes;
    cachedAtPeak = 0;
    cachedMax = 0;
  } else if (message.type === 'report') {
    send({
      type: 'report',
      checks: Object.fromEntries(checks),
      rssBaselineBytes,
      rssPeakBytes,
      cachedAtPeak,
      cachedMax,
    } satisfies BakeWorkerReport);
  } else if (message.type === 'stop') {
    clearInterval(sampler);
    worker.shutdown();
  }
});

const running = worker.run();
send({ type: 'ready' } satisfies BakeWorkerMessage);
await running;
process.exit(0);
