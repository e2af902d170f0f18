/**
 * Batched CloudWatch reads and the incremental per-version watch, through the real
 * @aws-sdk/client-cloudwatch against the simulator, on the simulator's hand-moved clock.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { createCloudWatchBatcher, type MinuteQuery } from '../../src/health/cloudwatch-batcher.ts';
import { readVersionMetrics } from '../../src/health/version-metrics.ts';
import { VersionMetricsWatch } from '../../src/health/version-metrics-watch.ts';
import { VersionMinutesWatch } from '../../src/health/version-minutes-watch.ts';
import type { Simulator } from '../../src/sim/index.ts';
import { TestClock, withSim } from '../sim/fixtures.ts';

const minute = Date.parse('2026-11-28T12:00:00Z');
const delayMs = 60_000;

const callsOf = (sim: Simulator, operation: string) =>
  sim.calls().filter((call) => call.operation === operation).length;

/** An invocation through `fn:live` that ran `version`, recorded at the simulator's now. */
function invoked(
  sim: Simulator,
  fn: string,
  version: string,
  at: number,
  extra: { isError?: boolean; durationMs?: number } = {},
) {
  sim.metrics.record({
    at,
    region: sim.clientConfig.region,
    functionName: fn,
    resource: `${fn}:live`,
    executedVersion: version,
    durationMs: extra.durationMs ?? 20,
    isError: extra.isError ?? false,
    isThrottled: false,
  });
}

describe('the CloudWatch batcher', () => {
  test('1,200 queries from many releases go out in 3 GetMetricData calls, each answered with its own series', async () => {
    const clock = new TestClock(minute + 10 * 60_000);
    await withSim({ clock, metricDelayMs: 0 }, async (sim, _lambda, cloudWatch) => {
      clock.pause();
      for (let f = 0; f < 120; f++)
        for (let i = 0; i <= f % 7; i++) invoked(sim, `fn${f}`, '2', minute + 5 * 60_000 + i * 1000);
      const batcher = createCloudWatchBatcher(cloudWatch, { windowMs: 50 });
      const before = callsOf(sim, 'GetMetricData');
      const queries: MinuteQuery[] = [];
      for (let f = 0; f < 120; f++)
        for (let k = 0; k < 10; k++)
          queries.push({
            functionName: `fn${f}`,
            alias: 'live',
            version: k < 5 ? '2' : '1',
            metric: 'Invocations',
            stat: 'Sum',
            fromMs: minute + k * 60_000 - 60_000 * (k % 2),
            toMs: minute + 10 * 60_000,
          });
      const series = await Promise.all(queries.map((query) => batcher.readMinutes(query)));
      assert.equal(callsOf(sim, 'GetMetricData') - before, 3, '500 queries per call');
      for (const [index, query] of queries.entries()) {
        const f = Math.floor(index / 10);
        const expected = query.version === '2' ? (f % 7) + 1 : 0;
        const total = [...(series[index]?.values() ?? [])].reduce((a, b) => a + b, 0);
        assert.equal(total, expected, `fn${f} v${query.version}`);
        for (const at of series[index]?.keys() ?? []) assert.ok(at >= query.fromMs && at < query.toMs);
      }
    });
  });

  test('250 alarm names go out in 3 DescribeAlarms calls; unknown names are absent', async () => {
    await withSim({}, async (sim, _lambda, cloudWatch) => {
      for (let i = 0; i < 240; i++)
        sim.alarms.put({
          name: `alarm-${i}`,
          namespace: 'AWS/Lambda',
          metricName: 'Errors',
          dimensions: { FunctionName: `fn${i}` },
          statistic: 'Sum',
          threshold: 1,
          comparison: 'GreaterThanThreshold',
          periodSeconds: 60,
          evaluationPeriods: 1,
        });
      const batcher = createCloudWatchBatcher(cloudWatch, { windowMs: 50 });
      const before = callsOf(sim, 'DescribeAlarms');
      const names = Array.from({ length: 250 }, (_, i) => `alarm-${i}`);
      // As 25 releases would ask, 10 names each.
      const answers = await Promise.all(
        Array.from({ length: 25 }, (_, r) => batcher.readAlarms(names.slice(r * 10, r * 10 + 10))),
      );
      assert.equal(callsOf(sim, 'DescribeAlarms') - before, 3, '100 names per call');
      assert.deepEqual(
        answers.flat().map((alarm) => alarm.AlarmName),
        names.slice(0, 240),
      );
    });
  });
});

describe('the per-version metrics watch', () => {
  test('over 20 minutes of checks, its counts equal one whole-window read, and it reads only the recent minutes', async () => {
    const since = minute + 10_000;
    const clock = new TestClock(since);
    await withSim({ clock, metricDelayMs: delayMs }, async (sim, _lambda, cloudWatch) => {
      clock.pause();
      const batcher = createCloudWatchBatcher(cloudWatch, { windowMs: 0 });
      const watch = new VersionMetricsWatch(cloudWatch, batcher, {
        functionName: 'watched',
        alias: 'live',
        versions: ['2', '1'],
        since: new Date(since),
      });
      let last: Awaited<ReturnType<VersionMetricsWatch['read']>> | undefined;
      const readsBefore = sim.calls().length;
      for (let second = 0; second < 20 * 60; second += 20) {
        const now = since + second * 1000;
        // Traffic every 20 s: the candidate errs in minute 7 and is slow in minute 12.
        invoked(sim, 'watched', '2', now, {
          isError: second >= 7 * 60 && second < 8 * 60,
          durationMs: second >= 12 * 60 && second < 13 * 60 ? 900 : 30,
        });
        invoked(sim, 'watched', '1', now);
        invoked(sim, 'watched', '1', now + 1);
        last = await watch.read(new Date(now));
        clock.advance(20_000);
      }
      const now = clock.now();
      last = await watch.read(new Date(now));
      const reads = sim
        .calls()
        .slice(readsBefore)
        .filter((call) => call.operation === 'GetMetricData');
      const direct = await readVersionMetrics(cloudWatch, {
        functionName: 'watched',
        alias: 'live',
        versions: ['2', '1'],
        since: new Date(minute),
        until: new Date(now),
      });
      for (const version of ['2', '1']) {
        assert.equal(last[version]?.invocations, direct[version]?.invocations, `v${version} invocations`);
        assert.equal(last[version]?.errors, direct[version]?.errors, `v${version} errors`);
      }
      assert.equal(last['2']?.errors, 3, 'the bad minute is counted once');
      // The slow minute's p99 is kept: a bad minute is never averaged away.
      assert.equal(last['2']?.p99Ms, 900);
      // Every read asked GetMetricData for at most 6 minutes (the recent window), never the whole window.
      for (const call of reads) {
        const start = Date.parse(String(call.request.StartTime)) || Number(call.request.StartTime) * 1000;
        const end = Date.parse(String(call.request.EndTime)) || Number(call.request.EndTime) * 1000;
        assert.ok(end - start <= 7 * 60_000, `a read of ${(end - start) / 60_000} minutes`);
      }
    });
  });

  test('a watch that starts long after traffic moved reads the earlier minutes once, in one catch-up read', async () => {
    const since = minute + 10_000;
    const clock = new TestClock(since);
    await withSim({ clock, metricDelayMs: delayMs }, async (sim, _lambda, cloudWatch) => {
      clock.pause();
      for (let second = 0; second < 30 * 60; second += 30)
        invoked(sim, 'late', '2', since + second * 1000, { isError: second < 60 });
      clock.advance(32 * 60_000);
      const batcher = createCloudWatchBatcher(cloudWatch, { windowMs: 0 });
      const watch = new VersionMetricsWatch(cloudWatch, batcher, {
        functionName: 'late',
        alias: 'live',
        versions: ['2'],
        since: new Date(since),
      });
      const first = await watch.read(new Date(clock.now()));
      assert.equal(first['2']?.invocations, 60);
      assert.equal(first['2']?.errors, 2);
      const before = sim.calls().length;
      clock.advance(10_000);
      const second = await watch.read(new Date(clock.now()));
      assert.equal(second['2']?.invocations, 60);
      const calls = sim
        .calls()
        .slice(before)
        .filter((call) => call.operation === 'GetMetricData');
      assert.equal(calls.length, 1, 'the second read asks only for the recent minutes');
    });
  });
});

describe('the per-minute watch (the sequential judge)', () => {
  test('over 20 minutes of checks it holds every published minute, equal to a whole-window read, reading only recent minutes after the first', async () => {
    const since = minute + 10_000;
    const clock = new TestClock(since);
    await withSim({ clock, metricDelayMs: delayMs }, async (sim, _lambda, cloudWatch) => {
      clock.pause();
      const batcher = createCloudWatchBatcher(cloudWatch, { windowMs: 0 });
      const watch = new VersionMinutesWatch(batcher, {
        functionName: 'minutes',
        alias: 'live',
        versions: ['2', '1'],
        since: new Date(since),
      });
      const readsBefore = sim.calls().length;
      let last: Awaited<ReturnType<VersionMinutesWatch['read']>> | undefined;
      for (let second = 0; second < 20 * 60; second += 20) {
        const now = since + second * 1000;
        invoked(sim, 'minutes', '2', now, {
          isError: second >= 7 * 60 && second < 8 * 60,
          durationMs: second >= 12 * 60 && second < 13 * 60 ? 900 : 30,
        });
        invoked(sim, 'minutes', '1', now);
        last = await watch.read(new Date(now));
        // Every invocation that ran at least the metric delay ago is counted once; none younger is seen.
        const landed =
          Math.floor(Math.max(0, second * 1000 - delayMs) / 20_000) + (second * 1000 >= delayMs ? 1 : 0);
        assert.equal(
          (last['2'] ?? []).reduce((n, m) => n + m.invocations, 0),
          landed,
          `at second ${second}`,
        );
        clock.advance(20_000);
      }
      last = await watch.read(new Date(clock.now()));
      const candidate = last['2'] ?? [];
      const stable = last['1'] ?? [];
      // 20 minutes of traffic; of the last one only what ran at least the delay ago (12:19:10) has landed.
      assert.deepEqual(
        candidate.map((m) => m.startMs),
        Array.from({ length: 20 }, (_, k) => minute + k * 60_000),
      );
      assert.equal(
        candidate.reduce((n, m) => n + m.invocations, 0),
        60 - 2,
      );
      assert.equal(
        stable.reduce((n, m) => n + m.invocations, 0),
        60 - 2,
      );
      assert.equal(candidate.find((m) => m.errors > 0)?.startMs, minute + 7 * 60_000);
      assert.equal(
        candidate.reduce((n, m) => n + m.errors, 0),
        3,
      );
      assert.equal(candidate.find((m) => m.startMs === minute + 12 * 60_000)?.p99Ms, 900);
      const reads = sim
        .calls()
        .slice(readsBefore)
        .filter((call) => call.operation === 'GetMetricData');
      // Every read after the first asked for at most the recent window (5 minutes plus the current one).
      for (const call of reads.slice(1)) {
        const start = Date.parse(String(call.request.StartTime)) || Number(call.request.StartTime) * 1000;
        const end = Date.parse(String(call.request.EndTime)) || Number(call.request.EndTime) * 1000;
        assert.ok(end - start <= 7 * 60_000, `a read of ${(end - start) / 60_000} minutes`);
      }
    });
  });

  test('ten releases checking together share their GetMetricData calls', async () => {
    const since = minute + 10_000;
    const clock = new TestClock(since + 3 * 60_000);
    await withSim({ clock, metricDelayMs: 0 }, async (sim, _lambda, cloudWatch) => {
      clock.pause();
      for (let f = 0; f < 10; f++) invoked(sim, `fn${f}`, '2', since + 1000, { isError: f === 3 });
      const batcher = createCloudWatchBatcher(cloudWatch, { windowMs: 20 });
      const watches = Array.from(
        { length: 10 },
        (_, f) =>
          new VersionMinutesWatch(batcher, {
            functionName: `fn${f}`,
            alias: 'live',
            versions: ['2', '1'],
            since: new Date(since),
          }),
      );
      const before = callsOf(sim, 'GetMetricData');
      const read = await Promise.all(watches.map((watch) => watch.read(new Date(clock.now()))));
      assert.equal(callsOf(sim, 'GetMetricData') - before, 1, '100 queries in one call');
      assert.deepEqual(
        read.map((byVersion) => byVersion['2']?.[0]?.errors),
        [0, 0, 0, 1, 0, 0, 0, 0, 0, 0],
      );
    });
  });
});
