import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { MockActivityEnvironment } from '@temporalio/testing';
import {
  checksFirstAtOnce,
  createMonitorHealth,
  type MonitorResult,
  nextTick,
} from '../../src/activities/monitor-health.ts';
import { createFileArtifactStore } from '../../src/artifacts/file-artifact-store.ts';
import { createAwsClients } from '../../src/aws/lambda-clients.ts';
import type { HealthGate } from '../../src/health/health-gate.ts';

const intervalMs = 1000;

/** The monitor activity over `gate`, with AWS clients that are never called. */
function monitorWith(gate: HealthGate) {
  return createMonitorHealth({
    aws: createAwsClients({
      endpoint: 'http://127.0.0.1:9',
      credentials: { accessKeyId: 'x', secretAccessKey: 'x' },
    }),
    artifacts: createFileArtifactStore('/nonexistent'),
    healthGate: gate,
  });
}

/** A bake's watch from `startedAt` for `watchMs`, checked every `everyMs`. */
function monitorInput(startedAt: number, watchMs: number, everyMs: number, waitBeganAgoMs?: number) {
  return {
    functionName: 'f',
    region: 'us-east-1',
    alias: 'live',
    stableVersion: '1',
    candidateVersion: '2',
    candidateWeightPercent: 10,
    stage: 'step' as const,
    stepIndex: 0,
    watchUntil: new Date(startedAt + watchMs).toISOString(),
    ...(waitBeganAgoMs !== undefined
      ? { watchFrom: new Date(startedAt - waitBeganAgoMs).toISOString() }
      : {}),
    intervalMs: everyMs,
  };
}

/** Runs a monitor for `watchMs` under a gate that notes when each check began; `scheduledAgoMs` back-dates its scheduling. */
async function checkTimes(
  scheduledAgoMs: number,
  watchMs: number,
  waitBeganAgoMs?: number,
): Promise<{ startedAt: number; checks: number[] }> {
  const checks: number[] = [];
  const gate: HealthGate = {
    async check() {
      checks.push(Date.now());
      return { status: 'pass', message: 'ok' };
    },
  };
  // Start 300 ms after a tick: a monitor scheduled just before has 700 ms until its first tick.
  await new Promise((resolve) => setTimeout(resolve, nextTick(Date.now(), intervalMs) - Date.now() + 300));
  const startedAt = Date.now();
  await new MockActivityEnvironment({ currentAttemptScheduledTimestampMs: startedAt - scheduledAgoMs }).run(
    monitorWith(gate),
    monitorInput(startedAt, watchMs, intervalMs, waitBeganAgoMs),
  );
  return { startedAt, checks };
}

describe('monitorHealth: the first check', () => {
  test('a monitor taken on time waits for the grid’s next tick, and every check is on the grid', async () => {
    const { startedAt, checks } = await checkTimes(20, 2500);
    assert.ok(checks.length >= 2, `${checks.length} checks`);
    assert.ok(
      (checks[0] ?? 0) - startedAt >= 600,
      `first check ${(checks[0] ?? 0) - startedAt} ms after the start`,
    );
    for (const at of checks) assert.ok(at % intervalMs < 500, `a check ${at % intervalMs} ms past its tick`);
  });

  test('a monitor taken after its first tick (a busy worker) checks at once, then on the grid', async () => {
    const { startedAt, checks } = await checkTimes(1200, 2500);
    assert.ok(
      (checks[0] ?? 0) - startedAt < 500,
      `first check ${(checks[0] ?? 0) - startedAt} ms after the start`,
    );
    assert.ok(checks.length >= 3, `${checks.length} checks`);
    for (const at of checks.slice(1))
      assert.ok(at % intervalMs < 500, `a check ${at % intervalMs} ms past its tick`);
  });

  test('the wait’s own start counts, not the scheduling: a wait that began before its first tick is checked at once', async () => {
    // The workflow began the wait 1.2 s ago, but its task completed (and scheduled the monitor) only now.
    const { startedAt, checks } = await checkTimes(0, 1500, 1200);
    assert.ok(
      (checks[0] ?? 0) - startedAt < 500,
      `first check ${(checks[0] ?? 0) - startedAt} ms after the start`,
    );
  });

  test('checksFirstAtOnce: at once when the first tick has passed or ends the first interval, else at the tick', () => {
    assert.equal(checksFirstAtOnce(10_100, 10_900, 1000), false, 'the tick at 11 000 is to come');
    assert.equal(checksFirstAtOnce(10_100, 11_000, 1000), true, 'the tick at 11 000 has come');
    assert.equal(checksFirstAtOnce(10_000, 10_999, 1000), true, 'the tick at 11 000 ends the first interval');
    assert.equal(
      checksFirstAtOnce(10_050, 10_100, 1000),
      true,
      'the tick at 11 000 is within 100 ms of its end',
    );
    assert.equal(checksFirstAtOnce(10_150, 10_200, 1000), false, 'the tick at 11 000 leaves 150 ms');
    assert.equal(
      checksFirstAtOnce(10_000, 10_100, 5000),
      true,
      'begun on a tick: the next one ends its interval',
    );
    assert.equal(
      checksFirstAtOnce(10_300, 10_400, 5000),
      false,
      'the tick at 15 000 leaves 300 ms (250 ms of grace at 5 s)',
    );
  });
});

describe('monitorHealth: heartbeats', () => {
  /** Runs a monitor under `gate` and notes when it heartbeat. */
  async function heartbeatTimes(gate: HealthGate, watchMs: number, everyMs: number) {
    const startedAt = Date.now();
    const env = new MockActivityEnvironment({ currentAttemptScheduledTimestampMs: startedAt });
    const heartbeats: number[] = [];
    env.on('heartbeat', () => heartbeats.push(Date.now()));
    const result: MonitorResult = await env.run(monitorWith(gate), monitorInput(startedAt, watchMs, everyMs));
    return { startedAt, heartbeats, result };
  }

  test('between checks a watch heartbeats once per check, not every second (a 5 s interval over 11 s)', async () => {
    const checks: number[] = [];
    const gate: HealthGate = {
      async check() {
        checks.push(Date.now());
        return { status: 'pass', message: 'ok' };
      },
    };
    const { heartbeats, result } = await heartbeatTimes(gate, 11_000, 5000);
    assert.equal(result.checksRun, checks.length);
    assert.ok(checks.length >= 2, `${checks.length} checks`);
    // Every check is reported at once (the live verdict reads it), and a slice of the wait heartbeats
    // only when 5 s have passed without one: at most one more than the checks, against 11 once a second.
    assert.ok(heartbeats.length >= checks.length, `${heartbeats.length} heartbeats, ${checks.length} checks`);
    assert.ok(
      heartbeats.length <= checks.length + 1,
      `${heartbeats.length} heartbeats for ${checks.length} checks`,
    );
  });

  test('a check that takes longer than 5 s heartbeats while it runs, so its watch is not taken for lost', async () => {
    let checking: { from: number; to: number } | undefined;
    const gate: HealthGate = {
      async check() {
        if (checking) return { status: 'pass', message: 'ok' };
        const from = Date.now();
        await new Promise((resolve) => setTimeout(resolve, 6500));
        checking = { from, to: Date.now() };
        return { status: 'pass', message: 'slow, then ok' };
      },
    };
    // A watch too short for a tick is checked once, at once: the one slow check is all it does.
    const { heartbeats } = await heartbeatTimes(gate, 200, 60_000);
    assert.ok(checking, 'the slow check ran');
    const during = heartbeats.filter((at) => at > (checking?.from ?? 0) && at < (checking?.to ?? 0));
    assert.ok(
      during.length >= 1,
      `${during.length} heartbeats during a ${checking.to - checking.from} ms check`,
    );
  });
});
