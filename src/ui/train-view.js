/**
 * What the dashboard shows of a train, computed from the API's answers: pure functions with no DOM, so
 * Node's test runner checks them beside the domain rules they mirror (test/ui/train-view.test.ts).
 */
import { pauseOrApprovalProblem, tokenProblem } from './release-view.js';

export const trainControlActions = ['pause', 'resume', 'approve', 'abort'];
/** Train actions that cannot be taken back: they ask for a confirmation. */
export const destructiveTrainActions = new Set(['abort']);

/** The abort the timeline records while the train has not ended yet (the train refuses a second one). */
function pendingAbort(status) {
  if (status.outcome !== null) return undefined;
  return status.timeline.find((entry) => entry.event === 'abort');
}

/**
 * Why the train's state forbids `action` now, or undefined. The same rules and words as the train
 * workflow's update validator (src/domain/train-state.ts `trainControlProblem`); a test holds the two together.
 */
export function trainStateProblem(status, action) {
  if (status.outcome !== null) return `the train has already ended (outcome: ${status.outcome})`;
  const abort = pendingAbort(status);
  if (abort)
    return `the train was already aborted${abort.message.replace(/^abort requested/, '')}; it is rolling back`;
  if (status.phase === 'rolling_back') return 'the train is rolling back; it can no longer be changed';
  return pauseOrApprovalProblem(status, action, 'train');
}

export function targetsOf(status) {
  return status.waves.flatMap((wave) => wave.targets);
}

/**
 * Why this token may not operate this train, or undefined: it must cover every target's function, as the
 * API checks (src/api/train-routes.ts `requireCoverage`).
 */
export function trainTokenProblem(me, status) {
  if (!me) return 'signing in…';
  if (!me.may.operate) return `your token "${me.name}" lacks the "operate" scope`;
  const outside = [...new Set(targetsOf(status).map((t) => t.function))].filter((name) =>
    tokenProblem(me, name),
  );
  if (outside.length > 0)
    return `your token "${me.name}" may act on functions ${me.functions.join(', ')}, not ${outside.join(', ')}; a train needs a token that covers every target`;
  return undefined;
}

/** Each train control with whether it can be used now, and why not. */
export function trainControlsFor(status, me) {
  return trainControlActions.map((action) => {
    const reason = trainTokenProblem(me, status) ?? trainStateProblem(status, action);
    return { action, isEnabled: reason === undefined, reason };
  });
}

/** Where the train stands: the wave it is on and how many targets have ended. */
export function waveProgress(status) {
  const targets = targetsOf(status);
  const ended = targets.filter((t) => t.outcome !== null).length;
  const waveCount = status.waves.length;
  const wave = Math.min(status.waveIndex + 1, waveCount);
  return {
    wave,
    waveCount,
    endedTargets: ended,
    targetCount: targets.length,
    label: `wave ${wave} of ${waveCount} · ${ended} of ${targets.length} targets ended`,
  };
}

/** Who started the train: its own `requestedBy`, else the `started` entry's words (older trains). */
export function trainRequestedBy(status) {
  if (status.requestedBy) return status.requestedBy;
  const started = status.timeline.find((entry) => entry.event === 'started');
  const match = started && /, requested by (.+)$/.exec(started.message);
  return match ? match[1] : undefined;
}

/** A function filter names a function or its ARN: matches a target by its short name. */
function namesFunction(filter, name) {
  return filter === name || filter.endsWith(`:function:${name}`) || filter.split(':').at(-1) === name;
}

/**
 * Whether a listed train passes the list's filters. The API filters trains by running only; the outcome is
 * on the listing, and the function is known once the train's status has been read (until then, a train is
 * not shown under a function filter).
 */
export function trainMatches(filters, summary, status) {
  if (filters.running && String(summary.isRunning) !== filters.running) return false;
  if (filters.outcome && summary.outcome !== filters.outcome) return false;
  if (filters.function) {
    if (!status) return false;
    return targetsOf(status).some((t) => namesFunction(filters.function, t.function));
  }
  return true;
}
