import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { formatDurationMs } from '../../src/domain/durations.ts';
import { planOf } from '../../src/domain/release-plan.ts';
import { controlActions, controlProblem, initialStatus } from '../../src/domain/release-state.ts';
import { type ReleaseStatus, releaseOutcomes } from '../../src/domain/release-status.ts';
import { describePlan, type PlannedStep, planSteps } from '../../src/domain/strategies.ts';
import {
  codeFacts,
  controlsFor,
  countdown,
  deadlineOf,
  filtersFrom,
  formatBake,
  outcomes,
  planRows,
  promoteToFullControl,
  queryOf,
  relativeTime,
  requestedByOf,
  sortReleases,
  startedFacts,
  stateProblem,
  weightChartData,
} from '../../src/ui/release-view.js';

const t0 = Date.parse('2026-11-28T03:00:00.000Z');
const at = (seconds: number) => new Date(t0 + seconds * 1000).toISOString();

function statusWith(overrides: Partial<ReleaseStatus>, steps: PlannedStep[] = []): ReleaseStatus {
  const status = initialStatus({
    releaseId: 'us-east-1.pay.live.run',
    functionName: 'pay',
    alias: 'live',
    region: 'us-east-1',
    stepCount: steps.length,
    startedAt: at(0),
  });
  status.timeline.push({
    at: at(0),
    event: 'started',
    message: `release of pay:live in us-east-1: ${describePlan(steps)}, requested by ops-admin`,
  });
  return { ...status, ...overrides };
}

const admin = {
  name: 'ops-admin',
  scopes: ['admin'],
  functions: ['*'],
  may: { read: true, release: true, operate: true },
  isOpen: false,
};
const viewer = {
  name: 'viewer',
  scopes: ['read'],
  functions: ['*'],
  may: { read: true, release: false, operate: false },
  isOpen: false,
};

describe('what the dashboard shows, from the API’s answers', () => {
  test('a control is refused for the same states, with the same words, as the workflow’s update validator', () => {
    const states: Partial<ReleaseStatus>[] = [
      { phase: 'starting' },
      { phase: 'baking' },
      { phase: 'baking', isPaused: true },
      { phase: 'paused', isPaused: true },
      { phase: 'awaiting_approval', awaitingApproval: true },
      { phase: 'promoting' },
      { phase: 'rolling_back' },
      { phase: 'completed', outcome: 'succeeded' },
      { phase: 'completed', outcome: 'rolled_back' },
    ];
    for (const state of states) {
      const status = statusWith(state);
      for (const action of controlActions)
        assert.equal(
          stateProblem(status, action),
          controlProblem(status, action),
          `${action} in ${JSON.stringify(state)}`,
        );
    }
  });

  test('a token without the operate scope sees every control disabled, saying so', () => {
    const status = statusWith({ phase: 'awaiting_approval', awaitingApproval: true });
    for (const control of controlsFor(status, viewer)) {
      assert.equal(control.isEnabled, false);
      assert.equal(control.reason, 'your token "viewer" lacks the "operate" scope');
    }
    const scoped = { ...admin, name: 'payments-oncall', functions: ['payments-*'] };
    assert.match(
      String(controlsFor(status, scoped)[0]?.reason),
      /may act on functions payments-\*, not pay$/,
    );
    assert.deepEqual(
      controlsFor(status, admin).map((c) => [c.action, c.isEnabled]),
      [
        ['pause', true],
        ['resume', false],
        ['approve', true],
        ['promote', true],
        ['abort', true],
      ],
    );
  });

  test('reads the plan and who asked back from the workflow’s own describePlan text', () => {
    for (const strategy of [
      'Canary10Percent5Minutes',
      'Linear10PercentEvery1Minute',
      {
        steps: [
          { weight: 5, bake: '250ms' },
          { weight: 25, bake: '1h30m', approval: true },
        ],
      },
    ] as const) {
      const steps = planSteps(strategy as Parameters<typeof planSteps>[0]);
      const facts = startedFacts(statusWith({}, steps));
      assert.equal(facts.requestedBy, 'ops-admin');
      assert.deepEqual(
        facts.steps?.map((s) => [s.weightPercent, s.requiresApproval]),
        steps.map((s) => [s.weightPercent, s.requiresApproval]),
      );
      assert.equal(facts.steps?.length, steps.length);
    }
    assert.deepEqual(startedFacts(statusWith({}, [])).steps, []);
    const noOne = statusWith({});
    noOne.timeline[0] = {
      at: at(0),
      event: 'started',
      message: 'release of pay:live in us-east-1: 10% for 5m → 100%',
    };
    assert.deepEqual(startedFacts(noOne), {
      steps: [{ weightPercent: 10, bake: '5m', requiresApproval: false }],
      requestedBy: undefined,
    });
  });

  test('knows every outcome the domain has, and writes bakes as the domain does', () => {
    assert.deepEqual(outcomes, [...releaseOutcomes]);
    for (const ms of [0, 250, 1000, 61_000, 5_400_000, 90_061_001])
      assert.equal(formatBake(ms), formatDurationMs(ms));
  });

  test('takes the plan from the status when the workflow records it, the promotion’s approval included', () => {
    const plan = planOf({
      steps: [
        { weight: 10, bake: '90s', approval: true },
        { weight: 50, bake: '1h' },
        { weight: 100, bake: '0s', approval: true },
      ],
    } as Parameters<typeof planOf>[0]);
    const status = statusWith({ plan, phase: 'baking', stepIndex: 0 });
    status.timeline[0] = { at: at(0), event: 'started', message: 'a message this reader need not parse' };
    status.timeline.push({ at: at(1), event: 'weight_set', message: '', details: { weightPercent: 10 } });
    assert.deepEqual(
      planRows(status)?.map((row) => [row.label, row.bake, row.requiresApproval, row.state]),
      [
        ['10%', '1m30s', true, 'current'],
        ['50%', '1h', false, 'next'],
        ['100%', undefined, plan.promotionRequiresApproval, 'next'],
      ],
    );
  });

  test('counts down to whatever the release waits for: a pause’s or an approval’s timeout, or the bake’s end', () => {
    assert.equal(deadlineOf(statusWith({})), undefined);
    assert.deepEqual(deadlineOf(statusWith({ bakeEndsAt: at(60) })), { label: 'bake ends', at: at(60) });
    assert.deepEqual(deadlineOf(statusWith({ awaitingApproval: true, approvalEndsAt: at(90) })), {
      label: 'approval times out',
      at: at(90),
    });
    assert.deepEqual(deadlineOf(statusWith({ isPaused: true, pauseEndsAt: at(30), bakeEndsAt: null })), {
      label: 'pause times out',
      at: at(30),
    });
  });

  test('marks plan steps done, current and next, and the promotion last', () => {
    const steps = planSteps({
      steps: [
        { weight: 10, bake: '1m' },
        { weight: 50, bake: '1m', approval: true },
      ],
    } as Parameters<typeof planSteps>[0]);
    const status = statusWith({ phase: 'baking', stepIndex: 1, candidateWeightPercent: 50 }, steps);
    status.timeline.push({ at: at(1), event: 'weight_set', message: '', details: { weightPercent: 10 } });
    assert.deepEqual(
      planRows(status)?.map((row) => [row.label, row.state, row.requiresApproval]),
      [
        ['10%', 'done', false],
        ['50%', 'current', true],
        ['100%', 'next', false],
      ],
    );
  });

  test('the weight chart steps through each weight and marks each health verdict on the line', () => {
    const status = statusWith({ phase: 'completed', outcome: 'rolled_back', endedAt: at(30) });
    status.timeline.push(
      { at: at(5), event: 'weight_set', message: '', details: { weightPercent: 10 } },
      {
        at: at(15),
        event: 'health_verdict',
        message: 'pass',
        details: { verdict: { status: 'pass', message: 'ok' } },
      },
      { at: at(16), event: 'weight_set', message: '', details: { weightPercent: 50 } },
      {
        at: at(20),
        event: 'health_verdict',
        message: 'fail',
        details: { verdict: { status: 'fail', message: 'bad' } },
      },
      { at: at(21), event: 'rolled_back', message: '' },
    );
    const [x, weight, passed, failed, inconclusive] = weightChartData(status, t0 + 99_000);
    assert.deepEqual(
      x,
      [0, 5, 15, 16, 20, 21, 30].map((s) => (t0 + s * 1000) / 1000),
    );
    assert.deepEqual(weight, [0, 10, 10, 50, 50, 0, 0]);
    assert.deepEqual(passed, [null, null, 10, null, null, null, null]);
    assert.deepEqual(failed, [null, null, null, null, 50, null, null]);
    assert.ok(inconclusive?.every((v) => v === null));
  });

  test('times read relative, and a bake’s end counts down', () => {
    assert.equal(relativeTime(at(0), t0 + 2000), 'just now');
    assert.equal(relativeTime(at(0), t0 + 185_000), '3 min ago');
    assert.equal(relativeTime(at(7200), t0), 'in 2 h');
    assert.equal(countdown(at(245), t0), '4:05');
    assert.equal(countdown(at(3723), t0), '1:02:03');
    assert.equal(countdown(at(0), t0 + 5000), '0:00');
  });

  test('running releases come first; filters survive a trip through the URL and drop unknown values', () => {
    const sorted = sortReleases([
      { releaseId: 'a', isRunning: false, startedAt: at(30) },
      { releaseId: 'b', isRunning: true, startedAt: at(10) },
      { releaseId: 'c', isRunning: false, startedAt: at(40) },
    ]);
    assert.deepEqual(
      sorted.map((r) => r.releaseId),
      ['b', 'c', 'a'],
    );
    const filters = filtersFrom('?function=pay&outcome=rolled_back&running=false&evil=1');
    assert.deepEqual(filters, { function: 'pay', outcome: 'rolled_back', running: 'false' });
    assert.equal(queryOf(filters), '?function=pay&outcome=rolled_back&running=false');
    assert.deepEqual(filtersFrom('?outcome=nonsense&running=maybe'), {});
  });

  test('promote to 100% follows promote’s rules, and is off once a full promotion is on its way', () => {
    const baking = statusWith({ phase: 'baking', stepIndex: 0 });
    assert.deepEqual(promoteToFullControl(baking, admin), {
      action: 'promote',
      full: true,
      isEnabled: true,
      reason: undefined,
    });
    assert.equal(
      promoteToFullControl(baking, viewer).reason,
      'your token "viewer" lacks the "operate" scope',
    );
    const ended = statusWith({ phase: 'completed', outcome: 'succeeded' });
    assert.equal(promoteToFullControl(ended, admin).reason, controlProblem(ended, 'promote'));
    const asked = statusWith({ phase: 'baking' });
    asked.timeline.push({
      at: at(3),
      event: 'promote',
      message: 'full promotion requested by ops-admin: ship it',
    });
    const control = promoteToFullControl(asked, admin);
    assert.equal(control.isEnabled, false);
    assert.equal(control.reason, 'a full promotion was already requested by ops-admin: ship it');
    const stepOnly = statusWith({ phase: 'baking' });
    stepOnly.timeline.push({ at: at(3), event: 'promote', message: 'promotion to the next step requested' });
    assert.equal(promoteToFullControl(stepOnly, admin).isEnabled, true);
  });

  test('who asked and the CodeSha256 come from the status’s own fields, else from older releases’ timeline words', () => {
    const older = statusWith({});
    older.timeline.push({
      at: at(2),
      event: 'code_updated',
      message: 'UpdateFunctionCode accepted (CodeSha256 abc+/=)',
    });
    assert.equal(requestedByOf(older), 'ops-admin');
    assert.equal(codeFacts(older).codeSha256, 'abc+/=');
    const newer = statusWith({ requestedBy: 'ci-deployer', codeSha256: 'xyz=' });
    assert.equal(requestedByOf(newer), 'ci-deployer');
    assert.equal(codeFacts(newer).codeSha256, 'xyz=');
    assert.equal(codeFacts(statusWith({ codeSha256: null })).codeSha256, undefined);
  });
});
