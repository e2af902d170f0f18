/**
 * What the dashboard shows, computed from the API's answers: pure functions with no DOM, so Node's test
 * runner checks them beside the domain code they mirror (test/ui/release-view.test.ts).
 */

export const controlActions = ['pause', 'resume', 'approve', 'promote', 'abort'];
/** Actions that cannot be taken back: they ask for a confirmation. */
export const destructiveActions = new Set(['promote', 'abort']);
export const outcomes = ['succeeded', 'rolled_back', 'conflict', 'failed', 'needs_attention', 'rejected'];

const endingPhases = ['promoting', 'rolling_back', 'completed'];

/**
 * Why the release's state forbids `action` now, or undefined. The same rules as the workflow's update
 * validator (src/domain/release-state.ts `controlProblem`); a test holds the two together.
 */
export function stateProblem(status, action) {
  if (status.outcome !== null) return `the release has already ended (outcome: ${status.outcome})`;
  if (endingPhases.includes(status.phase))
    return `the release is ${status.phase.replace('_', ' ')}; it can no longer be changed`;
  return pauseOrApprovalProblem(status, action, 'release');
}

/** What pause, resume and approve need of a running release or train (`noun`); other actions need nothing. */
export function pauseOrApprovalProblem(status, action, noun) {
  switch (action) {
    case 'pause':
      return status.isPaused ? `the ${noun} is already paused` : undefined;
    case 'resume':
      return status.isPaused ? undefined : `the ${noun} is not paused`;
    case 'approve':
      return status.awaitingApproval ? undefined : `the ${noun} is not waiting for an approval`;
    default:
      return undefined;
  }
}

function globMatches(pattern, name) {
  const escaped = pattern.split('*').map((part) => part.replace(/[.+?^${}()|[\]\\]/g, '\\$&'));
  return new RegExp(`^${escaped.join('.*')}$`).test(name);
}

/** Why this token may not operate this release, or undefined (mirrors src/api/auth.ts `authorize`). */
export function tokenProblem(me, functionName) {
  if (!me) return 'signing in…';
  if (!me.may.operate) return `your token "${me.name}" lacks the "operate" scope`;
  if (!me.functions.some((pattern) => globMatches(pattern, functionName)))
    return `your token "${me.name}" may act on functions ${me.functions.join(', ')}, not ${functionName}`;
  return undefined;
}

/** Each control with whether it can be used now, and why not. */
export function controlsFor(status, me) {
  return controlActions.map((action) => {
    const reason = tokenProblem(me, status.functionName) ?? stateProblem(status, action);
    return { action, isEnabled: reason === undefined, reason };
  });
}

/**
 * The full promotion the timeline records as asked for and not yet carried out (the workflow refuses a
 * second one, and everything but abort after it: src/domain/release-state.ts `controlProblem`).
 */
function pendingFullPromotion(status) {
  if (status.outcome !== null) return undefined;
  return status.timeline.find(
    (entry) => entry.event === 'promote' && entry.message.startsWith('full promotion'),
  );
}

/**
 * "Promote to 100%": promote with `full`, which skips every remaining step (bakes and approvals). The same
 * rules as promote, and off once a full promotion is already on its way.
 */
export function promoteToFullControl(status, me) {
  const pending = pendingFullPromotion(status);
  const reason =
    tokenProblem(me, status.functionName) ??
    stateProblem(status, 'promote') ??
    (pending
      ? pending.message.replace(/^full promotion requested/, 'a full promotion was already requested')
      : undefined);
  return { action: 'promote', full: true, isEnabled: reason === undefined, reason };
}

/**
 * The plan and who asked, from the `started` timeline entry the workflow writes with `describePlan`
 * (src/domain/strategies.ts): `release of f:live in us-east-1: 10% for 5m + approval → 50% for 1h → 100%,
 * requested by ci`. Releases started before the status recorded `plan` and `requestedBy` have only these
 * words; a test feeds describePlan's own output here.
 */
export function startedFacts(status) {
  const started = status.timeline.find((entry) => entry.event === 'started');
  const match = started && /^release of .+? in [^:]+: (.+?)(?:, requested by (.+))?$/.exec(started.message);
  if (!match) return { steps: undefined, requestedBy: undefined };
  const steps = [];
  if (match[1] !== 'all at once') {
    for (const part of match[1].split(' → ')) {
      const step = /^(\d+(?:\.\d+)?)% for (\S+)( \+ approval)?$/.exec(part);
      if (step)
        steps.push({ weightPercent: Number(step[1]), bake: step[2], requiresApproval: Boolean(step[3]) });
    }
  }
  return { steps, requestedBy: match[2] };
}

/** `5m`, `1h30m`, `250ms`: as src/domain/durations.ts `formatDurationMs` writes a bake. */
export function formatBake(ms) {
  if (ms === 0) return '0s';
  const parts = [];
  let rest = ms;
  for (const [unit, size] of [
    ['d', 86_400_000],
    ['h', 3_600_000],
    ['m', 60_000],
    ['s', 1000],
  ]) {
    const count = Math.floor(rest / size);
    if (count > 0) {
      parts.push(`${count}${unit}`);
      rest -= count * size;
    }
  }
  if (rest > 0) parts.push(`${rest}ms`);
  return parts.join('');
}

/**
 * The plan's steps: the status's own `plan` when the workflow records one, else read back from the
 * `started` entry (releases started before plans were recorded).
 */
function planOf(status) {
  if (status.plan) {
    return {
      steps: status.plan.steps.map((step) => ({
        weightPercent: step.weightPercent,
        bake: formatBake(step.bakeMs),
        requiresApproval: step.requiresApproval,
      })),
      promotionRequiresApproval: status.plan.promotionRequiresApproval,
    };
  }
  const { steps } = startedFacts(status);
  return steps ? { steps, promotionRequiresApproval: false } : undefined;
}

/** The plan's rows with where the release stands on each: done, current, or to come. */
export function planRows(status) {
  const plan = planOf(status);
  if (!plan) return undefined;
  const { steps } = plan;
  const hasShifted = status.timeline.some((entry) => entry.event === 'weight_set');
  const rows = steps.map((step, index) => ({
    ...step,
    label: `${step.weightPercent}%`,
    state:
      status.outcome === 'succeeded' || index < status.stepIndex
        ? 'done'
        : index === status.stepIndex && hasShifted && status.outcome === null
          ? 'current'
          : index === status.stepIndex && hasShifted
            ? 'stopped'
            : 'next',
  }));
  const isPromoted = status.timeline.some((e) =>
    ['promoted', 'alias_created', 'no_change'].includes(e.event),
  );
  rows.push({
    weightPercent: 100,
    bake: undefined,
    requiresApproval: plan.promotionRequiresApproval,
    label: '100%',
    state: isPromoted ? 'done' : status.phase === 'promoting' ? 'current' : 'next',
  });
  return rows;
}

/** What the release is waiting for and until when: the bake's end, the approval's or the pause's timeout. */
export function deadlineOf(status) {
  if (status.pauseEndsAt) return { label: 'pause times out', at: status.pauseEndsAt };
  if (status.approvalEndsAt) return { label: 'approval times out', at: status.approvalEndsAt };
  if (status.bakeEndsAt) return { label: 'bake ends', at: status.bakeEndsAt };
  return undefined;
}

/** The status's own `codeSha256`, else (releases started before it was recorded) the `code_updated` entry's words. */
export function codeFacts(status) {
  if (status.codeSha256) return { codeSha256: status.codeSha256 };
  const updated = status.timeline.find((entry) => entry.event === 'code_updated');
  const sha = updated && /CodeSha256 ([A-Za-z0-9+/=]+)/.exec(updated.message);
  return { codeSha256: sha ? sha[1] : undefined };
}

/** Who started the release: the status's own `requestedBy`, else the `started` entry's words. */
export function requestedByOf(status) {
  return status.requestedBy ?? startedFacts(status).requestedBy;
}

const weightEvents = {
  weight_set: (entry) => Number(entry.details?.weightPercent),
  promoted: () => 100,
  alias_created: () => 100,
  no_change: () => 100,
  rolled_back: () => 0,
};

/** Health and hook verdicts in time order, with each check's figures. */
export function verdicts(status) {
  return status.timeline
    .filter((entry) => entry.event === 'health_verdict' || entry.event === 'hook_verdict')
    .map((entry) => {
      const verdict = entry.details?.verdict ?? {};
      return {
        at: entry.at,
        kind: entry.event === 'hook_verdict' ? 'hook' : 'health',
        status: verdict.status ?? 'inconclusive',
        message: entry.message,
        checksRun: verdict.checksRun,
        checks: Array.isArray(verdict.checks) ? verdict.checks : [],
      };
    });
}

/**
 * The chart's data in uPlot's aligned form: x in seconds; the candidate's weight as a step function from
 * the start to now (or the end); and each health verdict as a point on that line, one series per result.
 */
export function weightChartData(status, nowMs) {
  const changes = [{ t: Date.parse(status.startedAt), weight: 0 }];
  for (const entry of status.timeline) {
    const weightOf = weightEvents[entry.event];
    if (weightOf) changes.push({ t: Date.parse(entry.at), weight: weightOf(entry) });
  }
  const checks = verdicts(status).filter((v) => v.kind === 'health');
  const endMs = status.endedAt ? Date.parse(status.endedAt) : Math.max(nowMs, changes.at(-1).t);
  const times = [
    ...new Set([...changes.map((c) => c.t), ...checks.map((c) => Date.parse(c.at)), endMs]),
  ].sort((a, b) => a - b);
  const weightAt = (t) => {
    let weight = 0;
    for (const change of changes) if (change.t <= t) weight = change.weight;
    return weight;
  };
  const pointsFor = (result) =>
    times.map((t) => {
      const check = checks.find((c) => Date.parse(c.at) === t && c.status === result);
      return check ? weightAt(t) : null;
    });
  return [
    times.map((t) => t / 1000),
    times.map(weightAt),
    pointsFor('pass'),
    pointsFor('fail'),
    pointsFor('inconclusive'),
  ];
}

const units = [
  ['d', 86_400_000],
  ['h', 3_600_000],
  ['min', 60_000],
  ['s', 1000],
];

/** `3 min ago`, `in 20 s`, `just now`. */
export function relativeTime(iso, nowMs) {
  const deltaMs = Date.parse(iso) - nowMs;
  const size = Math.abs(deltaMs);
  if (size < 5000) return 'just now';
  const [unit, unitMs] = units.find(([, ms]) => size >= ms) ?? units.at(-1);
  const count = Math.floor(size / unitMs);
  return deltaMs < 0 ? `${count} ${unit} ago` : `in ${count} ${unit}`;
}

/** Time left until `iso`, as a clock: `4:05`, `1:02:03`, `0:00` once passed. */
export function countdown(iso, nowMs) {
  const totalSeconds = Math.max(0, Math.ceil((Date.parse(iso) - nowMs) / 1000));
  const hours = Math.floor(totalSeconds / 3600);
  const minutes = Math.floor((totalSeconds % 3600) / 60);
  const seconds = String(totalSeconds % 60).padStart(2, '0');
  return hours > 0 ? `${hours}:${String(minutes).padStart(2, '0')}:${seconds}` : `${minutes}:${seconds}`;
}

/** Running releases first, then newest first. */
export function sortReleases(releases) {
  return [...releases].sort(
    (a, b) =>
      Number(b.isRunning) - Number(a.isRunning) ||
      String(b.startedAt ?? '').localeCompare(String(a.startedAt ?? '')),
  );
}

/** The list's filters from a URL query, and back; unknown values are dropped. */
export function filtersFrom(search) {
  const params = new URLSearchParams(search);
  const filters = {};
  const fn = params.get('function')?.trim();
  if (fn) filters.function = fn;
  const outcome = params.get('outcome');
  if (outcome && outcomes.includes(outcome)) filters.outcome = outcome;
  const running = params.get('running');
  if (running === 'true' || running === 'false') filters.running = running;
  return filters;
}

export function queryOf(filters) {
  const params = new URLSearchParams();
  for (const key of ['function', 'outcome', 'running']) if (filters[key]) params.set(key, filters[key]);
  const text = params.toString();
  return text ? `?${text}` : '';
}

export function phaseLabel(phase) {
  return phase ? phase.replaceAll('_', ' ') : '—';
}
