/**
 * Throughput (issue 13): zero-bake releases (AllAtOnce, no health) end to end per second on ONE worker built
 * the production way (bench/support/bake-worker.ts, a process of its own), without Lambda's quotas and with
 * the Lambda budget off. N releases are started together; the rate is N ÷ (the last release's end − the
 * first start), and the steady rate is the releases that ended between the 10th and 90th percentile end
 * over that span. Printed beside the goal (≥ 20/s), with each process's CPU per release, so the figure
 * says where the time goes: the worker, the dev server, or this process (the simulator and the client).
 *   RAMP_BENCH_THROUGHPUT=300,1000 npm run bench -- bench/throughput.ts    the sizes (default 300)
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { cpus, loadavg, tmpdir, totalmem } from 'node:os';
import { join } from 'node:path';
import { LambdaClient } from '@aws-sdk/client-lambda';
import type { Client } from '@temporalio/client';
import { createFileArtifactStore } from '../src/artifacts/file-artifact-store.ts';
import { parseReleaseId } from '../src/domain/release-id.ts';
import { validateReleaseSpec } from '../src/domain/spec.ts';
import { createReleaseClient } from '../src/releases/release-client.ts';
import { startSimulator } from '../src/sim/index.ts';
import { zipBase64 } from '../test/helpers/release-stack.ts';
import { uniqueName } from '../test/helpers/temporal.ts';
import {
  benchWorkerEnv,
  cpuSecondsOf,
  createLiveFunctions,
  devServerPid,
  inBatches,
  percentile,
  startWorkerProcess,
  type WorkerProcess,
  withBenchTemporal,
} from './support/worker-process.ts';

const sizes = (process.env.RAMP_BENCH_THROUGHPUT ?? '300').split(',').map(Number);
const goalPerSecond = 20;

interface Figures {
  releases: number;
  succeeded: number;
  seconds: number;
  steadyPerSecond: number;
  latencies: number[];
  cpu: { worker: number | undefined; server: number | undefined; bench: number };
  load: [number, number];
}

async function run(count: number, client: Client, address: string, namespace: string): Promise<Figures> {
  const sim = await startSimulator({ seed: 20261128, metricDelayMs: 0 });
  const lambda = new LambdaClient({ ...sim.clientConfig, maxAttempts: 3 });
  const artifactDir = mkdtempSync(join(tmpdir(), 'ramp-bench-throughput-'));
  const taskQueue = uniqueName('bench-throughput');
  let worker: WorkerProcess | undefined;
  try {
    const functions = await createLiveFunctions(lambda, 'tp', count);
    worker = await startWorkerProcess(
      benchWorkerEnv({ temporal: { address, namespace }, taskQueue, artifactDir, sim }),
    );
    await new Promise((resolve) => setTimeout(resolve, 3000));
    const releases = createReleaseClient({
      client,
      artifacts: createFileArtifactStore(artifactDir),
      taskQueue,
      defaultRegion: sim.clientConfig.region,
    });
    const serverPid = devServerPid();
    const cpuBefore = {
      worker: worker.child.pid ? cpuSecondsOf(worker.child.pid) : undefined,
      server: serverPid ? cpuSecondsOf(serverPid) : undefined,
      bench: process.cpuUsage(),
    };
    const loadBefore = loadavg()[0] ?? 0;
    const startedAt = Date.now();
    const started = await inBatches(functions, 50, async (name) => {
      const spec = validateReleaseSpec({
        function: name,
        alias: 'live',
        code: { zipFile: zipBase64({}, `${name}-v2`) },
        strategy: 'AllAtOnce',
      });
      if (!spec.ok) throw new Error(JSON.stringify(spec.problems));
      const startAt = Date.now();
      const { releaseId } = await releases.start(spec.spec);
      const parsed = parseReleaseId(releaseId);
      if (!parsed) throw new Error(`bad release id ${releaseId}`);
      return { startAt, releaseId, ...parsed };
    });
    // Waits for every release to end without one long poll per release held open on the server (that would
    // be the bench's load, not Ramp's): counts the queue's closed workflows once a second.
    const closedQuery = `TaskQueue = '${taskQueue}' AND ExecutionStatus != 'Running'`;
    while ((await client.workflow.count(closedQuery)).count < count) {
      await new Promise((resolve) => setTimeout(resolve, 1000));
    }
    const cpuAfter = {
      worker: worker.child.pid ? cpuSecondsOf(worker.child.pid) : undefined,
      server: serverPid ? cpuSecondsOf(serverPid) : undefined,
      bench: process.cpuUsage(cpuBefore.bench),
    };
    const ends = await inBatches(started, 20, async (release) => {
      const handle = client.workflow.getHandle(release.workflowId, release.runId);
      const outcome = await handle.result().then(
        (status) => (status as { outcome?: string }).outcome,
        () => 'failed',
      );
      const closeTime = (await handle.describe()).closeTime?.getTime() ?? Date.now();
      return { outcome, latency: closeTime - release.startAt, endAt: closeTime };
    });
    const endTimes = ends.map((e) => e.endAt).sort((a, b) => a - b);
    const p10 = percentile(endTimes, 10);
    const p90 = percentile(endTimes, 90);
    const seconds = ((endTimes.at(-1) ?? startedAt) - startedAt) / 1000;
    const perRelease = (before: number | undefined, after: number | undefined) =>
      before !== undefined && after !== undefined ? ((after - before) / count) * 1000 : undefined;
    return {
      releases: count,
      succeeded: ends.filter((e) => e.outcome === 'succeeded').length,
      seconds,
      steadyPerSecond: (endTimes.filter((t) => t > p10 && t <= p90).length / (p90 - p10)) * 1000,
      latencies: ends.map((e) => e.latency).sort((a, b) => a - b),
      cpu: {
        worker: perRelease(cpuBefore.worker, cpuAfter.worker),
        server: perRelease(cpuBefore.server, cpuAfter.server),
        bench: (cpuAfter.bench.user + cpuAfter.bench.system) / 1000 / count,
      },
      load: [loadBefore, loadavg()[0] ?? 0],
    };
  } finally {
    await worker?.stop();
    lambda.destroy();
    await sim.close();
    rmSync(artifactDir, { recursive: true, force: true });
  }
}

function print(f: Figures): void {
  const perSecond = f.releases / f.seconds;
  const ms = (value: number | undefined) => (value === undefined ? 'n/a' : `${value.toFixed(1)} ms`);
  console.log(
    `${f.releases} zero-bake releases started together (load average ${f.load[0].toFixed(1)} → ${f.load[1].toFixed(1)}):`,
  );
  console.log(
    `  ${f.succeeded}/${f.releases} succeeded in ${f.seconds.toFixed(1)} s = ${perSecond.toFixed(1)} releases/s (goal ≥ ${goalPerSecond}/s: ×${(perSecond / goalPerSecond).toFixed(2)}); steady (10th–90th percentile end) ${f.steadyPerSecond.toFixed(1)}/s (×${(f.steadyPerSecond / goalPerSecond).toFixed(2)})`,
  );
  console.log(
    `  start to end per release: p50 ${(percentile(f.latencies, 50) / 1000).toFixed(2)} s, p99 ${(percentile(f.latencies, 99) / 1000).toFixed(2)} s, max ${((f.latencies.at(-1) ?? 0) / 1000).toFixed(2)} s`,
  );
  console.log(
    `  CPU per release: worker ${ms(f.cpu.worker)}, Temporal dev server ${ms(f.cpu.server)}, this process (simulator + client) ${ms(f.cpu.bench)}; ${cpus().length} cores allow ${((1000 / ((f.cpu.worker ?? 0) + (f.cpu.server ?? 0) + f.cpu.bench)) * cpus().length).toFixed(1)} releases/s at most by CPU`,
  );
}

await withBenchTemporal(async (temporal) => {
  console.log(
    'Throughput: zero-bake releases (AllAtOnce, no health), one worker (createReleaseWorker, own process), no Lambda quotas, budget off',
  );
  console.log(
    `machine: ${cpus().length} × ${cpus()[0]?.model ?? 'cpu'}, ${Math.round(totalmem() / 2 ** 30)} GB, Node ${process.version}`,
  );
  for (const count of sizes) print(await run(count, temporal.client, temporal.address, temporal.namespace));
});
