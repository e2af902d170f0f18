import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { validateReleaseSpec } from '../../src/domain/spec.ts';
import { planSteps } from '../../src/domain/strategies.ts';

const zip = Buffer.from('PK fake zip').toString('base64');

function problemsOf(input: unknown): string[] {
  const result = validateReleaseSpec(input);
  return result.ok ? [] : result.problems.map((p) => `${p.field}: ${p.message}`);
}

describe('the release spec', () => {
  test('a minimal spec is valid and gets the default strategy and approval timeout', () => {
    const result = validateReleaseSpec({ function: 'my-fn', alias: 'live', code: { zipFile: zip } });
    assert.ok(result.ok);
    assert.equal(result.spec.strategy, 'Canary10Percent5Minutes');
    assert.equal(result.spec.approvalTimeout, '24h');
  });

  test('a function name over 64 characters is refused, naming the field', () => {
    assert.match(
      problemsOf({ function: 'f'.repeat(65), alias: 'live', code: { zipFile: zip } }).join(),
      /^function: .*64/,
    );
  });

  test('unknown fields, an unknown strategy and decreasing steps are each refused by field', () => {
    assert.match(
      problemsOf({ function: 'f', alias: 'live', code: { zipFile: zip }, colour: 'red' }).join(),
      /colour/,
    );
    assert.match(
      problemsOf({ function: 'f', alias: 'live', code: { zipFile: zip }, strategy: 'Fast' }).join(),
      /^strategy: unknown strategy/,
    );
    const steps = problemsOf({
      function: 'f',
      alias: 'live',
      code: { zipFile: zip },
      strategy: { steps: [{ weight: 50 }, { weight: 20 }] },
    }).join();
    assert.match(steps, /weights must increase/);
  });

  test('a release names new code or an existing version: exactly one of them', () => {
    const base = { function: 'f', alias: 'live' };
    const version = validateReleaseSpec({ ...base, version: '7' });
    assert.ok(version.ok);
    assert.equal(version.spec.version, '7');
    const neither = validateReleaseSpec(base);
    assert.ok(!neither.ok);
    assert.deepEqual(
      neither.problems.map((p) => p.field),
      ['code'],
    );
    assert.match(neither.problems[0]?.message ?? '', /existing version/);
    const both = validateReleaseSpec({ ...base, version: '7', code: { imageUri: 'x' } });
    assert.ok(!both.ok);
    assert.ok(both.problems.some((p) => p.field === 'version' && /not both/.test(p.message)));
    for (const bad of ['$LATEST', '0', 'v7', '']) {
      const result = validateReleaseSpec({ ...base, version: bad });
      assert.ok(!result.ok, bad);
      assert.equal(result.problems[0]?.field, 'version');
    }
    const guarded = validateReleaseSpec({ ...base, version: '7', expectedRevisionId: 'abc' });
    assert.ok(!guarded.ok);
    assert.equal(guarded.problems[0]?.field, 'expectedRevisionId');
  });

  test('a zip that is not base64 is refused', () => {
    assert.match(
      problemsOf({ function: 'f', alias: 'live', code: { zipFile: 'not base64!' } }).join(),
      /base64/,
    );
  });

  test('an ARN in one region with a region field naming another is refused', () => {
    const problems = problemsOf({
      function: 'arn:aws:lambda:us-west-2:123456789012:function:f',
      alias: 'live',
      code: { zipFile: zip },
      region: 'eu-west-1',
    });
    assert.match(problems.join(), /^region: /);
  });
});

describe('strategies', () => {
  test("CodeDeploy's predefined configurations plan the same steps by full or short name", () => {
    assert.deepEqual(planSteps('CodeDeployDefault.LambdaCanary10Percent5Minutes'), [
      { weightPercent: 10, bakeMs: 300_000, requiresApproval: false },
    ]);
    assert.deepEqual(
      planSteps('Linear10PercentEvery1Minute').map((s) => s.weightPercent),
      [10, 20, 30, 40, 50, 60, 70, 80, 90],
    );
    assert.deepEqual(planSteps('AllAtOnce'), []);
  });

  test('custom steps keep their weights, bakes and approvals; a final 100% step is the promotion', () => {
    assert.deepEqual(
      planSteps({
        steps: [{ weight: 5, bake: '10m' }, { weight: 25, bake: '1h', approval: true }, { weight: 100 }],
      }),
      [
        { weightPercent: 5, bakeMs: 600_000, requiresApproval: false },
        { weightPercent: 25, bakeMs: 3_600_000, requiresApproval: true },
      ],
    );
  });
});

describe('a health interval that is not a duration', () => {
  test('is a validation problem on health.interval, never an exception (the API answered 500)', () => {
    for (const interval of ['5x', '', -5, '1.5.2s']) {
      const result = validateReleaseSpec({
        function: 'payments',
        alias: 'live',
        code: { imageUri: '123456789012.dkr.ecr.us-east-1.amazonaws.com/app:1' },
        health: { interval },
      });
      assert.equal(result.ok, false, String(interval));
      if (!result.ok)
        assert.ok(
          result.problems.some((p) => p.field === 'health.interval'),
          JSON.stringify(result.problems),
        );
    }
  });
});
