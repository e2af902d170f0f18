/**
 * What the scale benchmarks share: one worker built the production way in a process of its own
 * (bench/support/bake-worker.ts), driven over IPC, and small figure helpers.
 */
import { type ChildProcess, fork } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import type { LambdaClient } from '@aws-sdk/client-lambda';
import { Client, Connection } from '@temporalio/client';
import type { Simulator } from '../../src/sim/index.ts';
import { startDevServer } from '../../src/temporal/dev-server.ts';
import { createLiveFunction } from '../../test/helpers/live-function.ts';
import { uniqueName } from '../../test/helpers/temporal.ts';
import type { BakeWorkerMessage, BakeWorkerReport } from './bake-worker.ts';

export interface WorkerProcess {
  child: ChildProcess;
  ask(): Promise<BakeWorkerReport>;
  stop(): Promise<void>;
}

/** Forks bench/support/bake-worker.ts with `env` and resolves when its worker runs. */
export function startWorkerProcess(env: NodeJS.ProcessEnv): Promise<WorkerProcess> {
  const child = fork(new URL('./bake-worker.ts', import.meta.url).pathname, [], {
    // RAMP_BENCH_CPU_PROF=<dir> writes the worker's V8 CPU profile there when it exits.
    execArgv: [
      '--import',
      'tsx',
      ...(process.env.RAMP_BENCH_CPU_PROF
        ? ['--cpu-prof', `--cpu-prof-dir=${process.env.RAMP_BENCH_CPU_PROF}`]
        : []),
    ],
    env,
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  const pending: ((report: BakeWorkerReport) => void)[] = [];
  return new Promise((resolve, reject) => {
    child.once('exit', (code) => reject(new Error(`the bench worker exited (${code}) before it was ready`)));
    child.on('message', (message: BakeWorkerMessage) => {
      if (message.type !== 'ready') {
        pending.shift()?.(message);
        return;
      }
      resolve({
        child,
        ask: () =>
          new Promise((answer) => {
            pending.push(answer);
            child.send({ type: 'report' });
          }),
        async stop() {
          const exited = new Promise((done) => child.once('exit', done));
          child.send({ type: 'stop' });
          await Promise.race([exited, new Promise((done) => setTimeout(done, 30_000))]);
          if (child.exitCode === null) child.kill();
        },
      });
    });
  });
}

/**
 * Creates `count` functions named from `prefix`, each with a first published version behind the alias
 * `live`, 20 at a time; `then` arranges more per function (an alarm). Returns their names.
 */
export async function createLiveFunctions(
  lambda: LambdaClient,
  prefix: string,
  count: number,
  then: (name: string) => void = () => {},
): Promise<string[]> {
  const functions = Array.from({ length: count }, () => uniqueName(prefix));
  await inBatches(functions, 20, async (name) => {
    await createLiveFunction(lambda, name);
    then(name);
  });
  return functions;
}

/** The bench worker's environment: the process's own, pointed at `temporal` and the simulator, budget off. */
export function benchWorkerEnv(options: {
  temporal: { address: string; namespace: string };
  taskQueue: string;
  artifactDir: string;
  sim: Simulator;
}): NodeJS.ProcessEnv {
  return {
    ...process.env,
    TEMPORAL_ADDRESS: options.temporal.address,
    TEMPORAL_NAMESPACE: options.temporal.namespace,
    RAMP_TASK_QUEUE: options.taskQueue,
    RAMP_ARTIFACT_STORE: `file://${options.artifactDir}`,
    RAMP_LAMBDA_BUDGET: '0',
    RAMP_LOG_LEVEL: 'error',
    RAMP_NOTIFY_SECRET: 'bench',
    AWS_REGION: options.sim.clientConfig.region,
    RAMP_BENCH_SIM_ENDPOINT: options.sim.endpoint,
  };
}

/** Runs `task` over `items`, `concurrency` at a time. */
export async function inBatches<T, R>(
  items: T[],
  concurrency: number,
  task: (item: T) => Promise<R>,
): Promise<R[]> {
  const results: R[] = new Array(items.length);
  let next = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < items.length) {
        const index = next++;
        results[index] = await task(items[index] as T);
      }
    }),
  );
  return results;
}

export function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? Number.NaN;
}

/** CPU seconds (user + system) a process has used so far, from /proc; undefined when it cannot be read. */
export function cpuSecondsOf(pid: number): number | undefined {
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8')
      .replace(/^.*\) /, '')
      .split(' ');
    // After the command: state is field 3, utime 14 and stime 15 (1-based in proc(5)), in clock ticks.
    return (Number(fields[11]) + Number(fields[12])) / 100;
  } catch {
    return undefined;
  }
}

/** The pid of the Temporal dev server on this machine (`temporal server start-dev`), if one runs. */
export function devServerPid(): number | undefined {
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const cmdline = readFileSync(`/proc/${entry}/cmdline`, 'utf8').split('\0');
      if (cmdline.includes('server') && cmdline.includes('start-dev')) return Number(entry);
    } catch {}
  }
  return undefined;
}

/**
 * Runs `body` against Temporal: `npm run bench`'s dev server (RAMP_TEST_TEMPORAL_ADDRESS), or one of its
 * own when the bench runs alone.
 */
export async function withBenchTemporal(
  body: (temporal: { address: string; namespace: string; client: Client }) => Promise<void>,
): Promise<void> {
  const external = process.env.RAMP_TEST_TEMPORAL_ADDRESS;
  const server = external ? undefined : await startDevServer();
  const address = external ?? server?.address ?? '';
  const namespace = process.env.RAMP_TEST_TEMPORAL_NAMESPACE ?? server?.namespace ?? 'default';
  const connection = await Connection.connect({ address });
  try {
    await body({ address, namespace, client: new Client({ connection, namespace }) });
  } finally {
    await connection.close();
    await server?.stop();
  }
}
