import { Context } from '@temporalio/activity';
import { ApplicationFailure } from '@temporalio/common';
import { FailureType } from '../domain/failure-types.ts';
import type { HealthCheckInput, HealthVerdict } from '../domain/health-verdict.ts';
import { consecutiveFailuresToFail } from '../domain/probe-timing.ts';
import { UnknownAlarmError } from '../health/alarm-states.ts';
import { watchSession } from '../health/health-gate.ts';
import { isBrokenCandidate, withProbeChecks } from '../health/probe-judge.ts';
import { probeChecksOf } from '../health/probe-round.ts';
import { ProbeRun } from '../health/probes.ts';
import { stepDuration } from '../observability/metrics.ts';
import { activityFailure } from './activity-failure.ts';
import type { ActivityDeps } from './deps.ts';
import { roleSessionOf } from './role-session.ts';

export interface MonitorInput extends HealthCheckInput {
  /** Watch until this time (the bake's end); a failing verdict returns at once. */
  watchUntil: string;
  /**
   * When the wait began (workflow time): its first interval is due a check from then. Absent (monitors
   * scheduled before it was sent), the time the attempt was scheduled stands in.
   */
  watchFrom?: string;
  intervalMs: number;
}

export interface MonitorResult extends HealthVerdict {
  /** How many check rounds ran: every one was judged, only the outcome enters the history. */
  checksRun: number;
}

/**
 * One long-running, heartbeating activity per bake: checks every interval and returns only when a check
 * fails or the bake ends. However long the bake and short the interval, the release's history grows by a
 * handful of events, not one per check (Temporal warns at 10,240 events and terminates at 51,200).
 */
export function createMonitorHealth(deps: ActivityDeps) {
  return async function monitorHealth(input: MonitorInput): Promise<MonitorResult> {
    const context = Context.current();
    const watchUntil = new Date(input.watchUntil).getTime();
    const startedAt = Date.now();
    let checksRun = 0;
    let last: HealthVerdict = { status: 'inconclusive', message: 'not checked yet' };
    // One session for the whole wait: the CloudWatch gate keeps what it has read, and reads only what is new.
    const role = roleSessionOf(input);
    const session = watchSession(deps.healthGate, input, role);
    // Probes run for the whole wait, beside the gate's reads, and are judged at each check: they need no
    // CloudWatch, so a broken candidate is seen within seconds of the shift (src/health/probes.ts).
    const probes = startProbes(deps, input, role);
    // Between checks only the cheap rule (the last 8 probes), so thousands of watches can ask it 4 times a second.
    const isProbeFailing = () =>
      probes !== null &&
      isBrokenCandidate(
        probes.lastCounted(probes.targets.candidateVersion, consecutiveFailuresToFail),
        probes.versions.length > 1
          ? probes.lastCounted(probes.targets.stableVersion, consecutiveFailuresToFail)
          : null,
      );
    let lastHeartbeatAt = Date.now();
    const heartbeat = () => {
      context.heartbeat({ checksRun, last });
      lastHeartbeatAt = Date.now();
    };
    /** Sleeps until `wakeAt`; true when it woke early because the probes fail the candidate. */
    const sleepUntil = async (wakeAt: number): Promise<boolean> => {
      // A pause, abort or promote cancels this activity: Temporal delivers the cancellation in the answer to
      // a heartbeat, and `context.sleep` ends at once when it comes. The worker sends heartbeats to the server
      // at most every 0.8 × the heartbeat timeout however often they are given, so one every few seconds is
      // enough to keep the watch alive and to hear a cancellation as soon as any could; more would only cost
      // a thousand watches CPU. With probes the slices are short, and a probe failure is checked at once
      // instead of at the next tick: it needs no CloudWatch to be seen.
      while (Date.now() < wakeAt) {
        await context.sleep(Math.min(probes ? 250 : heartbeatEveryMs, wakeAt - Date.now()));
        if (Date.now() - lastHeartbeatAt >= heartbeatEveryMs) heartbeat();
        if (isProbeFailing()) return true;
      }
      return false;
    };
    const finish = () => {
      stepDuration.observe({ verdict: last.status }, (Date.now() - startedAt) / 1000);
      return { ...last, checksRun };
    };
    try {
      return await checkUntilDone();
    } finally {
      // However the watch ends (its end, a failing verdict, a cancellation), no probe is sent after it.
      probes?.stop();
    }

    async function checkUntilDone(): Promise<MonitorResult> {
      // A monitor that starts after its wait's first tick (a busy worker or server took it late), or whose
      // first tick falls at the very end of the wait's first interval, checks at once, so that interval is
      // not left unchecked; otherwise it waits for the tick like the others. A retried attempt counts from
      // its own scheduling.
      const waitBegan =
        input.watchFrom && context.info.attempt === 1
          ? Date.parse(input.watchFrom)
          : context.info.currentAttemptScheduledTimestampMs;
      const isFirstAtOnce = checksFirstAtOnce(waitBegan, Date.now(), input.intervalMs);
      for (;;) {
        // Checks fall on the interval's clock grid (multiples of the interval since the epoch), so the monitors
        // of every release with this interval check together and their CloudWatch reads share calls, however
        // many releases there are. A wait with no tick left ends on the last check (at most an interval old);
        // one too short for any tick is checked once, at its end.
        const tick = nextTick(Date.now(), input.intervalMs);
        if (tick > watchUntil && checksRun > 0) {
          if (!(await sleepUntil(watchUntil))) return finish();
        } else if (checksRun > 0 || !isFirstAtOnce) {
          await sleepUntil(Math.min(tick, watchUntil));
        }
        // A check that takes long (a throttled read being retried) heartbeats through it, so its watch is not
        // taken for lost.
        const heartbeatWhileChecking = setInterval(heartbeat, heartbeatEveryMs);
        try {
          last = await session.check();
        } catch (error) {
          if (error instanceof UnknownAlarmError) {
            throw ApplicationFailure.create({
              type: FailureType.InvalidSpec,
              message: error.message,
              nonRetryable: true,
            });
          }
          // One failed reading (a throttled GetMetricData) is not a verdict: note it and check again.
          const failure = activityFailure('health check', error);
          if (failure.nonRetryable) throw failure;
          last = { status: 'inconclusive', message: `could not read health: ${failure.message}` };
        } finally {
          clearInterval(heartbeatWhileChecking);
        }
        if (probes && input.health) last = withProbeChecks(last, probeChecksOf(probes, input.health));
        checksRun++;
        // Every check is reported at once: the status's currentVerdict reads it from the heartbeat.
        heartbeat();
        if (last.status === 'fail' || Date.now() >= watchUntil) return finish();
      }
    }
  };
}

/** The probe run of a watch, when the release has probes and a candidate to probe. */
function startProbes(
  deps: ActivityDeps,
  input: HealthCheckInput,
  role: ReturnType<typeof roleSessionOf>,
): ProbeRun | null {
  const config = input.health?.probes;
  if (!config || !input.candidateVersion) return null;
  return new ProbeRun(
    deps.aws.lambda(input.region, role),
    {
      functionName: input.functionName,
      candidateVersion: input.candidateVersion,
      stableVersion: input.stableVersion,
    },
    config,
  ).start();
}

/**
 * The longest a watch goes without a heartbeat between checks: a third of its heartbeat timeout (15 s,
 * src/workflows/release/options.ts), so a busy worker still heartbeats in time.
 */
const heartbeatEveryMs = 5000;

/** How close to its first interval's end the grid's first tick may fall and still be waited for. */
const firstTickGraceMs = 250;

/**
 * Whether a wait that began at `waitBegan` checks at once when its monitor starts at `now`, instead of at
 * the grid's first tick: when that tick has passed (the monitor was taken late), or falls so near the end
 * of the wait's first interval that a check a moment late would leave that interval unchecked.
 */
export function checksFirstAtOnce(waitBegan: number, now: number, intervalMs: number): boolean {
  const firstTick = nextTick(waitBegan, intervalMs);
  return now >= firstTick || firstTick > waitBegan + intervalMs - Math.min(firstTickGraceMs, intervalMs / 10);
}

/** The first multiple of `intervalMs` (since the epoch) after `now`. */
export function nextTick(now: number, intervalMs: number): number {
  return (Math.floor(now / intervalMs) + 1) * intervalMs;
}
