/**
 * Concurrent bakes (issue 13): N releases baking at once on ONE worker built the production way
 * (createReleaseWorker, in a process of its own: bench/support/bake-worker.ts), sharing the machine with the
 * dev server and the simulator (in this process, with this bench's client). Each release: one 10 % step, a
 * 30 s bake (RAMP_BENCH_BAKE_SECONDS), health every 5 s with one CloudWatch alarm and per-version metrics,
 * so the real CloudWatch gate runs against the simulator on every check. No traffic: the metrics stay below
 * minInvocations, and the spec's `insufficientTraffic: 'pass'` lets the bake end on time (the reads still
 * happen). The Lambda budget is off (RAMP_LAMBDA_BUDGET=0), so releases reach their bakes quickly; the time
 * they took to get there is printed apart. Printed per size, beside each goal:
 *   - lateness of each bake's end: when the release moved on (its timeline's verdict at the bake's end) against
 *     bakeEndsAt (the shift's time + the bake; checked against the status query's bakeEndsAt for a sample)
 *   - checks delivered: the bake's 5-s intervals (six in 30 s) that held a check of the release, over all
 *   - worker RSS per cached release: the worker process's peak RSS growth ÷ N
 *   - CloudWatch calls/s during the bakes, from the simulator's call log
 *   RAMP_BENCH_BAKES=100,300,1000 npm run bench -- bench/concurrent-bakes.ts     the sizes (default 100,300,1000)
 *   node --import tsx bench/concurrent-bakes.ts 100,300                          run alone (its own dev server)
 *   RAMP_BENCH_BAKES=1000 RAMP_BENCH_BAKE_SECONDS=300 npm run bench -- bench/concurrent-bakes.ts   longer bakes
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { cpus, loadavg, tmpdir, totalmem } from 'node:os';
import { join } from 'node:path';
import { LambdaClient } from '@aws-sdk/client-lambda';
import type { Client } from '@temporalio/client';
import { createFileArtifactStore } from '../src/artifacts/file-artifact-store.ts';
import { parseReleaseId } from '../src/domain/release-id.ts';
import type { ReleaseStatus } from '../src/domain/release-status.ts';
import { validateReleaseSpec } from '../src/domain/spec.ts';
import { createReleaseClient } from '../src/releases/release-client.ts';
import { type SimCall, type Simulator, startSimulator } from '../src/sim/index.ts';
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

const sizes = (process.argv[2] ?? process.env.RAMP_BENCH_BAKES ?? '100,300,1000').split(',').map(Number);
/**
 * The bake (RAMP_BENCH_BAKE_SECONDS, default the 30 s). A longer bake lets every release reach its
 * bake before the first one ends, so the figures show watching N at once apart from the cost of starting them.
 */
const bakeMs = Number(process.env.RAMP_BENCH_BAKE_SECONDS ?? 30) * 1000;
const intervalMs = 5_000;
const intervals = bakeMs / intervalMs;
/** How long a size may take to end its releases (RAMP_BENCH_BAKES_DEADLINE_MIN); later ends are not waited for. */
const deadlineMinutes = Number(process.env.RAMP_BENCH_BAKES_DEADLINE_MIN ?? 30);
const goals = { latenessMs: 1000, delivered: 1, rssPerReleaseMb: 1.5 };
const cloudWatchOperations = new Set(['GetMetricData', 'DescribeAlarms']);

/** Collects every simulator call as it happens: the simulator keeps only its last 20,000. */
class CallTap {
  readonly calls: SimCall[] = [];
  private last: SimCall | undefined;
  private readonly timer: NodeJS.Timeout;
  lost = false;

  constructor(private readonly sim: Simulator) {
    this.timer = setInterval(() => this.collect(), 1000);
  }

  collect(): void {
    const all = this.sim.calls();
    let from = all.length;
    while (from > 0 && all[from - 1] !== this.last) from--;
    if (from === 0 && this.last !== undefined) this.lost = true;
    for (const call of all.slice(from)) this.calls.push(call);
    this.last = all.at(-1) ?? this.last;
  }

  stop(): void {
    clearInterval(this.timer);
    this.collect();
  }
}

/** The worker's and the dev server's CPU seconds, sampled once a second. */
class CpuTap {
  readonly samples: { at: number; worker: number; server: number }[] = [];
  private readonly timer: NodeJS.Timeout;

  constructor(
    private readonly workerPid: number | undefined,
    private readonly serverPid: number | undefined,
  ) {
    this.sample();
    this.timer = setInterval(() => this.sample(), 1000);
    this.timer.unref();
  }

  sample(): void {
    const worker = this.workerPid === undefined ? undefined : cpuSecondsOf(this.workerPid);
    const server = this.serverPid === undefined ? undefined : cpuSecondsOf(this.serverPid);
    if (worker !== undefined && server !== undefined) this.samples.push({ at: Date.now(), worker, server });
  }

  /** CPU seconds each process used from the sample at or before `from` to the first at or after `to`. */
  between(from: number, to: number): { worker: number; server: number; seconds: number } | undefined {
    const first = [...this.samples].reverse().find((s) => s.at <= from) ?? this.samples[0];
    const last = this.samples.find((s) => s.at >= to) ?? this.samples.at(-1);
    if (!first || !last || last.at <= first.at) return undefined;
    return {
      worker: last.worker - first.worker,
      server: last.server - first.server,
      seconds: (last.at - first.at) / 1000,
    };
  }

  stop(): void {
    clearInterval(this.timer);
    this.sample();
  }
}

interface Figures {
  releases: number;
  succeeded: number;
  ended: number;
  startupSeconds: number;
  /** The most releases baking at the same moment (between their shift and the verdict at their bake's end). */
  peakBaking: number;
  lateness: number[];
  intervalsWithCheck: number;
  intervalsDue: number;
  checksPerRelease: number[];
  /** Time between a release's consecutive checks, and from its bake's start to its first check. */
  checkGapsMs: number[];
  firstCheckDelaysMs: number[];
  rssBaselineMb: number;
  rssPeakMb: number;
  cachedAtPeak: number;
  cachedMax: number;
  cloudWatchCalls: number;
  bakeWindowSeconds: number;
  cloudWatchPeak1s: number;
  sampledBakeEndsAt: { agree: number; of: number };
  callLogLost: boolean;
  load: [number, number];
  /** Where each bake's lateness went, from its history (see lateParts). */
  parts: LateParts[];
  /** CPU seconds from the first start until every release baked, and over the bakes after that. */
  cpuStarting: { worker: number; server: number; seconds: number } | undefined;
  cpuBaking: { worker: number; server: number; seconds: number } | undefined;
}

/**
 * A bake's lateness in its history's server times: from the bake's end to the monitor's completion being
 * recorded (the monitor's last sleep, then the worker's answer reaching the server), then to the workflow
 * task that moves the release on being started by the worker (the server's dispatch and the worker's queue).
 */
interface LateParts {
  monitorDoneMs: number;
  taskStartedMs: number;
}

function eventMs(event: { eventTime?: { seconds?: unknown; nanos?: number | null } | null }): number {
  return Number(event.eventTime?.seconds ?? 0) * 1000 + Math.floor((event.eventTime?.nanos ?? 0) / 1e6);
}

async function latePartsOf(
  client: Client,
  releaseId: string,
  endsAtMs: number,
): Promise<LateParts | undefined> {
  const parsed = parseReleaseId(releaseId);
  if (!parsed) return undefined;
  const history = await client.workflow.getHandle(parsed.workflowId, parsed.runId).fetchHistory();
  const events = history.events ?? [];
  const scheduled = events.find(
    (e) => e.activityTaskScheduledEventAttributes?.activityType?.name === 'monitorHealth',
  );
  const scheduledId = Number(scheduled?.eventId ?? -1);
  const doneIndex = events.findIndex(
    (e) => Number(e.activityTaskCompletedEventAttributes?.scheduledEventId ?? -2) === scheduledId,
  );
  const done = events[doneIndex];
  const started = events.slice(doneIndex + 1).find((e) => e.workflowTaskStartedEventAttributes);
  if (!done || !started) return undefined;
  return { monitorDoneMs: eventMs(done) - endsAtMs, taskStartedMs: eventMs(started) - eventMs(done) };
}

async function run(count: number, temporal: { address: string; namespace: string; client: Client }) {
  const loadBefore = loadavg()[0] ?? 0;
  const sim = await startSimulator({ updateDelayMs: 50, seed: 20261128, metricDelayMs: 0 });
  const lambda = new LambdaClient({ ...sim.clientConfig, maxAttempts: 3 });
  const artifactDir = mkdtempSync(join(tmpdir(), 'ramp-bench-bakes-'));
  const taskQueue = uniqueName('bench-bakes');
  let worker: WorkerProcess | undefined;
  try {
    const functions = await createLiveFunctions(lambda, 'bake', count, (name) => {
      sim.alarms.put({
        name: `${name}-errors`,
        metricName: 'Errors',
        dimensions: { FunctionName: name, Resource: `${name}:live` },
        statistic: 'Sum',
        threshold: 5,
        comparison: 'GreaterThanThreshold',
        periodSeconds: 60,
        evaluationPeriods: 1,
      });
    });

    worker = await startWorkerProcess(benchWorkerEnv({ temporal: temporal, taskQueue, artifactDir, sim }));
    // Let the worker's pollers settle before the baseline.
    await new Promise((resolve) => setTimeout(resolve, 3000));
    worker.child.send({ type: 'baseline' });

    const releases = createReleaseClient({
      client: temporal.client,
      artifacts: createFileArtifactStore(artifactDir),
      taskQueue,
      defaultRegion: sim.clientConfig.region,
    });
    const tap = new CallTap(sim);
    const cpu = new CpuTap(worker.child.pid, devServerPid());
    const startedAt = Date.now();
    const ids = await inBatches(functions, 50, async (name) => {
      const spec = validateReleaseSpec({
        function: name,
        alias: 'live',
        code: { zipFile: zipBase64({}, `${name}-v2`) },
        strategy: { steps: [{ weight: 10, bake: `${bakeMs / 1000}s` }] },
        health: {
          interval: `${intervalMs / 1000}s`,
          alarms: [`${name}-errors`],
          metrics: { minInvocations: 50, insufficientTraffic: 'pass', errorRate: { max: 0.05 } },
        },
      });
      if (!spec.ok) throw new Error(JSON.stringify(spec.problems));
      return (await releases.start(spec.spec)).releaseId;
    });

    // bakeEndsAt as the status query shows it, for a sample, to check the timeline's reading of it.
    // Releases seen ending before a poll caught them baking drop out of the sample.
    const unsampled = new Set(
      ids.filter((_, i) => i % Math.max(1, Math.floor(count / 10)) === 0).slice(0, 10),
    );
    const sampled = new Map<string, string>();
    const sampling = (async () => {
      const until = Date.now() + 10 * 60_000;
      while (unsampled.size > 0 && Date.now() < until) {
        for (const id of [...unsampled]) {
          const status = await releases.status(id).catch(() => undefined);
          if (status?.bakeEndsAt) sampled.set(id, status.bakeEndsAt);
          if (status?.bakeEndsAt || status?.outcome) unsampled.delete(id);
        }
        await new Promise((resolve) => setTimeout(resolve, 2000));
      }
    })();

    // Waits for every release's end, up to the deadline; figures come from the releases that ended by then.
    const deadline = new Promise<undefined>((resolve) => {
      const timer = setTimeout(() => resolve(undefined), deadlineMinutes * 60_000);
      timer.unref();
    });
    const statuses = await Promise.all(
      ids.map(async (id): Promise<ReleaseStatus | undefined> => {
        const parsed = parseReleaseId(id);
        if (!parsed) return undefined;
        const result = temporal.client.workflow
          .getHandle(parsed.workflowId, parsed.runId)
          .result()
          .then(
            (status) => status as ReleaseStatus,
            () => releases.status(id).catch(() => undefined),
          );
        return Promise.race([result, deadline]);
      }),
    );
    await sampling;
    tap.stop();
    cpu.stop();
    const report = await worker.ask();

    const bakes = statuses.map((status) => {
      const timeline = status?.timeline ?? [];
      const shiftIndex = timeline.findIndex((entry) => entry.event === 'weight_set');
      const shift = timeline[shiftIndex];
      const verdict = timeline.slice(shiftIndex + 1).find((entry) => entry.event === 'health_verdict');
      if (!status || !shift || !verdict) return undefined;
      const startMs = Date.parse(shift.at);
      const checksRun = Number((verdict.details?.verdict as { checksRun?: number } | undefined)?.checksRun);
      return {
        functionName: status.functionName,
        releaseId: status.releaseId,
        startMs,
        endsAtMs: startMs + bakeMs,
        movedOnMs: Date.parse(verdict.at),
        checksRun,
      };
    });
    const measured = bakes.filter((bake) => bake !== undefined);
    let agree = 0;
    for (const [id, bakeEndsAt] of sampled) {
      const bake = measured.find((b) => b.releaseId === id);
      if (bake && Date.parse(bakeEndsAt) === bake.endsAtMs) agree++;
    }
    let intervalsWithCheck = 0;
    for (const bake of measured) {
      const times = report.checks[bake.functionName] ?? [];
      for (let k = 0; k < intervals; k++) {
        const from = bake.startMs + k * intervalMs;
        if (times.some((at) => at >= from && at < from + intervalMs)) intervalsWithCheck++;
      }
    }
    const firstBake = Math.min(...measured.map((b) => b.startMs));
    const lastBake = Math.max(...measured.map((b) => b.startMs));
    const firstEnd = Math.min(...measured.map((b) => b.endsAtMs));
    const lastEnd = Math.max(...measured.map((b) => b.endsAtMs));
    const cloudWatch = tap.calls.filter(
      (call) => cloudWatchOperations.has(call.operation) && call.at >= firstBake && call.at <= lastEnd,
    );
    const figures: Figures = {
      releases: count,
      succeeded: statuses.filter((s) => s?.outcome === 'succeeded').length,
      ended: statuses.filter((s) => s?.outcome).length,
      startupSeconds: (lastBake - startedAt) / 1000,
      peakBaking: mostAtOnce(measured.map((b) => [b.startMs, b.movedOnMs])),
      lateness: measured.map((b) => b.movedOnMs - b.endsAtMs).sort((a, b) => a - b),
      intervalsWithCheck,
      intervalsDue: count * intervals,
      checksPerRelease: measured.map((b) => b.checksRun).sort((a, b) => a - b),
      checkGapsMs: measured
        .flatMap((b) => {
          const times = (report.checks[b.functionName] ?? []).filter((at) => at <= b.endsAtMs);
          return times.slice(1).map((at, i) => at - (times[i] ?? at));
        })
        .sort((a, b) => a - b),
      firstCheckDelaysMs: measured
        .map((b) => (report.checks[b.functionName]?.[0] ?? Number.NaN) - b.startMs)
        .sort((a, b) => a - b),
      rssBaselineMb: report.rssBaselineBytes / 2 ** 20,
      rssPeakMb: report.rssPeakBytes / 2 ** 20,
      cachedAtPeak: report.cachedAtPeak,
      cachedMax: report.cachedMax,
      cloudWatchCalls: cloudWatch.length,
      bakeWindowSeconds: (lastEnd - firstBake) / 1000,
      cloudWatchPeak1s: busiest(cloudWatch.map((call) => call.at)),
      sampledBakeEndsAt: { agree, of: sampled.size },
      callLogLost: tap.lost,
      load: [loadBefore, loadavg()[0] ?? 0],
      cpuStarting: cpu.between(startedAt, lastBake),
      // Only when every release baked before the first bake ended: the watching alone.
      cpuBaking: lastBake < firstEnd ? cpu.between(lastBake, firstEnd) : undefined,
      parts: (
        await inBatches(measured, 20, (b) => latePartsOf(temporal.client, b.releaseId, b.endsAtMs))
      ).filter((p) => p !== undefined),
    };
    return figures;
  } finally {
    await worker?.stop();
    lambda.destroy();
    await sim.close();
    rmSync(artifactDir, { recursive: true, force: true });
  }
}

function mostAtOnce(spans: [number, number][]): number {
  const edges = spans.flatMap(([from, to]): [number, number][] => [
    [from, 1],
    [to, -1],
  ]);
  edges.sort((a, b) => a[0] - b[0] || a[1] - b[1]);
  let now = 0;
  let most = 0;
  for (const [, step] of edges) {
    now += step;
    most = Math.max(most, now);
  }
  return most;
}

function busiest(times: number[]): number {
  const sorted = [...times].sort((a, b) => a - b);
  let best = 0;
  let end = 0;
  for (let start = 0; start < sorted.length; start++) {
    while (end < sorted.length && (sorted[end] ?? 0) - (sorted[start] ?? 0) < 1000) end++;
    best = Math.max(best, end - start);
  }
  return best;
}

function cpuLine(
  what: string,
  cpu: { worker: number; server: number; seconds: number } | undefined,
  releases?: number,
): string {
  if (!cpu) return `${what}: n/a`;
  const share = (seconds: number) => `${((seconds / cpu.seconds) * 100).toFixed(0)} %`;
  const per = (seconds: number) =>
    releases ? ` = ${((seconds / releases) * 1000).toFixed(0)} ms per release` : '';
  return `${what} (${cpu.seconds.toFixed(0)} s): worker ${share(cpu.worker)}${per(cpu.worker)}, dev server ${share(cpu.server)}${per(cpu.server)}`;
}

function print(f: Figures): void {
  const s = (ms: number) => `${(ms / 1000).toFixed(2)} s`;
  const ratio = (value: number, goal: number) => `×${(value / goal).toFixed(2)}`;
  const p50 = percentile(f.lateness, 50);
  const p99 = percentile(f.lateness, 99);
  const max = f.lateness.at(-1) ?? Number.NaN;
  const delivered = f.intervalsWithCheck / f.intervalsDue;
  const rssPerRelease = (f.rssPeakMb - f.rssBaselineMb) / f.releases;
  const checks = f.checksPerRelease;
  console.log(
    `${f.releases} releases baking at once (load average ${f.load[0].toFixed(1)} → ${f.load[1].toFixed(1)}):`,
  );
  console.log(
    `  outcomes: ${f.succeeded}/${f.releases} succeeded, ${f.ended} ended within ${deadlineMinutes} min; all baking ${f.startupSeconds.toFixed(1)} s after the first start (budget off), at most ${f.peakBaking} baking at the same moment`,
  );
  console.log(
    `  bake end lateness: p50 ${s(p50)} (goal ≤ 1 s: ${ratio(p50, goals.latenessMs)}), p99 ${s(p99)} (${ratio(p99, goals.latenessMs)}), max ${s(max)} (${ratio(max, goals.latenessMs)}); ${f.lateness.length} bakes measured; status bakeEndsAt = shift + ${bakeMs / 1000} s for ${f.sampledBakeEndsAt.agree} of ${f.sampledBakeEndsAt.of} sampled`,
  );
  const part = (pick: (p: LateParts) => number) => {
    const sorted = f.parts.map(pick).sort((a, b) => a - b);
    return `p50 ${s(percentile(sorted, 50))} / p99 ${s(percentile(sorted, 99))}`;
  };
  console.log(
    `  where the lateness went (${f.parts.length} histories): bake's end → monitor's completion recorded ${part((p) => p.monitorDoneMs)}; → the next workflow task started ${part((p) => p.taskStartedMs)}`,
  );
  console.log(
    `  checks delivered: ${f.intervalsWithCheck} of ${f.intervalsDue} release-intervals had a check = ${(delivered * 100).toFixed(1)} % (goal 100 %: ×${delivered.toFixed(3)}); checks per release (verdict's checksRun) min ${checks[0]} median ${percentile(checks, 50)} max ${checks.at(-1)} (${intervals + 1} due: at 0, ${intervalMs / 1000} … ${bakeMs / 1000} s)`,
  );
  console.log(
    `  check timing: first check ${s(percentile(f.firstCheckDelaysMs, 50))} (p50) / ${s(f.firstCheckDelaysMs.at(-1) ?? Number.NaN)} (max) after the shift; gap between checks p50 ${s(percentile(f.checkGapsMs, 50))}, p99 ${s(percentile(f.checkGapsMs, 99))}, max ${s(f.checkGapsMs.at(-1) ?? Number.NaN)} (interval ${s(intervalMs)})`,
  );
  console.log(
    `  worker RSS: ${f.rssBaselineMb.toFixed(0)} → ${f.rssPeakMb.toFixed(0)} MB peak, ${rssPerRelease.toFixed(2)} MB per release (goal ≤ 1.5 MB: ${ratio(rssPerRelease, goals.rssPerReleaseMb)}); cached workflows at the peak ${f.cachedAtPeak}, most ${f.cachedMax}`,
  );
  console.log(
    `  CPU (${cpus().length} cores = ${cpus().length * 100} %): ${cpuLine('until every release baked', f.cpuStarting, f.releases)}; ${cpuLine('while all baked', f.cpuBaking)}`,
  );
  console.log(
    `  CloudWatch: ${f.cloudWatchCalls} calls in the ${f.bakeWindowSeconds.toFixed(1)} s the bakes spanned = ${(f.cloudWatchCalls / f.bakeWindowSeconds).toFixed(1)} calls/s (busiest 1-s window ${f.cloudWatchPeak1s}); ${(f.cloudWatchCalls / f.releases / intervals).toFixed(2)} per release per interval (no goal; batching bounds it by the interval)${f.callLogLost ? '; WARNING: the call log dropped entries' : ''}`,
  );
}

await withBenchTemporal(async (temporal) => {
  console.log(
    `Concurrent bakes: one 10 % step, ${bakeMs / 1000} s bake, health every ${intervalMs / 1000} s (alarm + metrics, real CloudWatch gate on the simulator), one worker (createReleaseWorker, own process), Lambda budget off`,
  );
  console.log(
    `machine: ${cpus().length} × ${cpus()[0]?.model ?? 'cpu'}, ${Math.round(totalmem() / 2 ** 30)} GB, Node ${process.version}, load average ${loadavg()
      .map((l) => l.toFixed(1))
      .join(' ')}`,
  );
  for (const count of sizes) {
    try {
      print(await run(count, temporal));
    } catch (error) {
      console.log(`${count} releases: did not finish: ${(error as Error).stack ?? error}`);
    }
  }
});
