/**
 * History size of long releases (issue 13): events and bytes of a release's history for a one-hour bake and
 * for a seven-day release with approvals, with health configured (goal: under 2,000 events; Temporal warns at
 * 10,240 events / 10 MB).
 *
 * Time skipping (TestWorkflowEnvironment.createTimeSkipping) needs Temporal's Java test server, which the SDK
 * downloads on first use; this machine has no internet, so it cannot start here. Instead each release runs on
 * the real dev server with real-time stand-ins at two lengths, and the figures are extrapolated linearly in the
 * number of health checks: what a longer wait adds is checks (inside one monitor activity, so none of them in
 * the history) and nothing else, which the two lengths measure (see extrapolate for how noise is treated). Real health checks (the CloudWatch gate on the
 * simulator, traffic at 20/s, metrics instant).
 *   - "one-hour bake": one 10 % step, health every 1 s; stand-ins of 10 s and 40 s; extrapolated to 3,600
 *     checks (one hour at a 1 s interval; a 10 s interval makes ten times fewer).
 *   - "seven days with approvals": seven steps (1, 2, 5, 10, 25, 50, 75 %), each baking one "day" and waiting
 *     for an approval, then promotion approved too, one pause and resume on the third day; stand-in days of 2 s and
 *     8 s at a 1 s interval; extrapolated to a day's bake at a 60 s interval, 1,440 checks a day.
 *   npm run bench -- bench/history-size.ts
 */
import type { Client } from '@temporalio/client';
import proto from '@temporalio/proto';
import { parseReleaseId } from '../src/domain/release-id.ts';
import type { ReleaseStatus } from '../src/domain/release-status.ts';
import { type ReleaseStack, withReleaseStack, zipBase64 } from '../test/helpers/release-stack.ts';
import { closeTemporalEnvironment, uniqueName } from '../test/helpers/temporal.ts';
import { waitForEnd } from '../test/helpers/wait-for.ts';

const { temporal } = proto;
const goalEvents = 2000;

interface Measured {
  events: number;
  bytes: number;
  /** Commands the workflow gave (see commandTypes): what a longer wait could add more of. */
  commands: number;
  /** Activities scheduled and never started (cancelled first): each could start in another run. */
  unstarted: number;
  checks: number;
  outcome: string | null;
  seconds: number;
}

/**
 * The events a workflow's own commands record. Everything else in a history follows from them (an activity's
 * start and end, the workflow tasks that carry them) in numbers that depend on how tasks interleave: a monitor
 * cancelled just before or just after it started differs by one event, in a run of any length.
 */
const commandTypes = new Set(
  [
    'ACTIVITY_TASK_SCHEDULED',
    'ACTIVITY_TASK_CANCEL_REQUESTED',
    'TIMER_STARTED',
    'TIMER_CANCELED',
    'MARKER_RECORDED',
    'UPSERT_WORKFLOW_SEARCH_ATTRIBUTES',
    'WORKFLOW_PROPERTIES_MODIFIED',
    'START_CHILD_WORKFLOW_EXECUTION_INITIATED',
    'SIGNAL_EXTERNAL_WORKFLOW_EXECUTION_INITIATED',
    'WORKFLOW_EXECUTION_UPDATE_ACCEPTED',
  ].map(
    (name) =>
      temporal.api.enums.v1.EventType[`EVENT_TYPE_${name}` as keyof typeof temporal.api.enums.v1.EventType],
  ),
);

async function historySize(
  client: Client,
  releaseId: string,
): Promise<{ events: number; bytes: number; commands: number; unstarted: number }> {
  const parsed = parseReleaseId(releaseId);
  if (!parsed) throw new Error(`bad release id ${releaseId}`);
  const history = await client.workflow.getHandle(parsed.workflowId, parsed.runId).fetchHistory();
  const events = history.events ?? [];
  const { EventType } = temporal.api.enums.v1;
  const count = (type: number) => events.filter((event) => event.eventType === type).length;
  return {
    events: events.length,
    bytes: temporal.api.history.v1.History.encode(history).finish().length,
    commands: events.filter((event) => commandTypes.has(event.eventType ?? 0)).length,
    unstarted:
      count(EventType.EVENT_TYPE_ACTIVITY_TASK_SCHEDULED) - count(EventType.EVENT_TYPE_ACTIVITY_TASK_STARTED),
  };
}

/** Every check the release's monitors and fresh verdicts ran, from the verdicts in its timeline. */
function checksOf(status: ReleaseStatus): number {
  return status.timeline
    .filter((entry) => entry.event === 'health_verdict')
    .reduce((sum, entry) => {
      const checksRun = (entry.details?.verdict as { checksRun?: number } | undefined)?.checksRun;
      return sum + (typeof checksRun === 'number' ? checksRun : 1);
    }, 0);
}

const health = {
  interval: '1s',
  metrics: { minInvocations: 1, insufficientTraffic: 'pass' as const, errorRate: { max: 0.05 } },
};

async function oneLongBake(stack: ReleaseStack, bakeSeconds: number): Promise<Measured> {
  const fn = uniqueName('hist-bake');
  await stack.createFunctionWithAlias(fn, 'live');
  const traffic = stack.sim.traffic.start({ functionName: fn, qualifier: 'live', ratePerSecond: 20 });
  const startedAt = Date.now();
  try {
    const id = await stack.startRelease({
      function: fn,
      alias: 'live',
      code: { zipFile: zipBase64() },
      strategy: { steps: [{ weight: 10, bake: `${bakeSeconds}s` }] },
      health,
    });
    const status = await waitForEnd(stack.releases, id, bakeSeconds * 1000 + 120_000);
    return {
      ...(await historySize(stack.client, id)),
      checks: checksOf(status),
      outcome: status.outcome,
      seconds: (Date.now() - startedAt) / 1000,
    };
  } finally {
    traffic.stop();
  }
}

const weekSteps = [1, 2, 5, 10, 25, 50, 75];

async function sevenDays(stack: ReleaseStack, daySeconds: number): Promise<Measured> {
  const fn = uniqueName('hist-week');
  await stack.createFunctionWithAlias(fn, 'live');
  const traffic = stack.sim.traffic.start({ functionName: fn, qualifier: 'live', ratePerSecond: 20 });
  const startedAt = Date.now();
  try {
    const id = await stack.startRelease({
      function: fn,
      alias: 'live',
      code: { zipFile: zipBase64() },
      strategy: {
        steps: [
          ...weekSteps.map((weight) => ({ weight, bake: `${daySeconds}s`, approval: true })),
          { weight: 100, approval: true },
        ],
      },
      health,
      approvalTimeout: '2d',
    });
    // A person: approves each step when asked (after a moment, so the approval wait is watched too), and
    // pauses the release for a while on the third day.
    let approvals = 0;
    let hasPaused = false;
    for (;;) {
      // A loaded machine can leave a status query unanswered for a while: ask again.
      const status = await stack.releases.status(id).catch(() => undefined);
      if (status === undefined) continue;
      if (status.outcome !== null) break;
      if (!hasPaused && status.stepIndex === 2 && status.phase === 'baking') {
        hasPaused = true;
        await stack.releases.control(id, 'pause', { by: 'bench' });
        await new Promise((resolve) => setTimeout(resolve, daySeconds * 500));
        await stack.releases.control(id, 'resume', { by: 'bench' });
      } else if (status.awaitingApproval) {
        await new Promise((resolve) => setTimeout(resolve, 1500));
        await stack.releases.control(id, 'approve', { by: 'bench' });
        approvals++;
      }
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
    const status = await waitForEnd(stack.releases, id, 60_000);
    // Seven steps and the promotion.
    if (approvals !== weekSteps.length + 1)
      throw new Error(`gave ${approvals} approvals, expected ${weekSteps.length + 1}`);
    return {
      ...(await historySize(stack.client, id)),
      checks: checksOf(status),
      outcome: status.outcome,
      seconds: (Date.now() - startedAt) / 1000,
    };
  } finally {
    traffic.stop();
  }
}

/**
 * Events and bytes at `checks`. A longer wait can add only what its commands add, so the growth is taken from
 * the commands (the runs' difference per check, none when negative), each counted at the most events one
 * command brings: an activity scheduled, started, ended (or cancel-requested and cancelled) and the workflow
 * task that takes its result, 7. On top of the larger run go the interleavings another run could see: each
 * activity cancelled before it started could start (1 event) in a workflow task of its own (3).
 */
const eventsPerCommand = 7;
const eventsPerUnstarted = 4;

function extrapolate(short: Measured, long: Measured, checks: number): { events: number; bytes: number } {
  const extraChecks = Math.max(0, checks - long.checks);
  const commandGrowth = Math.max(
    0,
    (long.commands - short.commands) / Math.max(1, long.checks - short.checks),
  );
  const larger = long.events >= short.events ? long : short;
  const events =
    larger.events +
    Math.max(short.unstarted, long.unstarted) * eventsPerUnstarted +
    commandGrowth * eventsPerCommand * extraChecks;
  return {
    events: Math.round(events),
    bytes: Math.round(Math.max(short.bytes, long.bytes) * (events / larger.events)),
  };
}

function print(
  name: string,
  short: Measured,
  long: Measured,
  target: { label: string; checks: number },
): void {
  const line = (label: string, m: Measured) =>
    `  ${label}: ${m.events} events (goal < ${goalEvents}: ×${(m.events / goalEvents).toFixed(3)}), ${(m.bytes / 1024).toFixed(1)} KiB, ${m.checks} health checks, outcome ${m.outcome}, ${m.seconds.toFixed(1)} s`;
  const at = extrapolate(short, long, target.checks);
  console.log(`${name}:`);
  console.log(line('stand-in, short', short));
  console.log(line('stand-in, long ', long));
  const perCheck = (a: number, b: number) => ((b - a) / Math.max(1, long.checks - short.checks)).toFixed(3);
  console.log(
    `  per check between the runs: ${perCheck(short.commands, long.commands)} commands (${short.commands} / ${long.commands}), ${perCheck(short.events, long.events)} events; activities cancelled before they started: ${short.unstarted} / ${long.unstarted}`,
  );
  console.log(
    `  ${target.label} (${target.checks} checks, extrapolated): ${at.events} events (goal < ${goalEvents}: ×${(at.events / goalEvents).toFixed(3)}), ${(at.bytes / 1024).toFixed(1)} KiB`,
  );
}

try {
  await withReleaseStack({ healthGate: 'cloudwatch', metricDelayMs: 0 }, async (stack) => {
    console.log(
      'History size (real dev server, real-time stand-ins extrapolated by health checks; time skipping needs a download this machine cannot make):',
    );
    const shortBake = await oneLongBake(stack, 10);
    const longBake = await oneLongBake(stack, 40);
    print('one-hour bake (one 10 % step, health every 1 s)', shortBake, longBake, {
      label: 'one hour at 1 s',
      checks: 3600,
    });
    const shortWeek = await sevenDays(stack, 2);
    const longWeek = await sevenDays(stack, 8);
    print(
      'seven days with approvals (7 steps × a day, each approved, then the promotion, one pause)',
      shortWeek,
      longWeek,
      { label: 'seven days at 60 s', checks: 7 * 1440 },
    );
  });
} finally {
  await closeTemporalEnvironment();
}
