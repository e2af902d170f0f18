import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { parse as parseYaml } from 'yaml';
import { validateTrainSpec, wavesOf } from '../../src/domain/train-spec.ts';
import { initialTrainStatus, trainControlProblem, trainOutcomeOf } from '../../src/domain/train-state.ts';
import type { TrainStatus } from '../../src/domain/train-status.ts';

const yamlSpec = `
name: payments 2.4.0
defaults:
  alias: live
  strategy: Canary10Percent5Minutes
  health: { interval: 10s, metrics: { minInvocations: 100, errorRate: { max: 0.01 } } }
waves:
  - name: canary region
    targets:
      - { function: payments-api, region: us-east-1, code: { s3Bucket: bucket, s3Key: api-2.4.0.zip } }
  - name: rest
    maxParallel: 10
    approval: true
    targets:
      - { function: payments-api, region: eu-west-1, code: { s3Bucket: b-eu, s3Key: api-2.4.0.zip } }
      - { function: payments-worker, region: us-east-1, alias: blue, strategy: AllAtOnce, code: { s3Bucket: bucket, s3Key: worker.zip } }
watchAfterWave: 10m
`;

function problems(input: unknown): string[] {
  const result = validateTrainSpec(input);
  return result.ok ? [] : result.problems.map((p) => `${p.field}: ${p.message}`);
}

describe('the train spec', () => {
  test('the YAML example is valid: defaults merge under each target, whose own fields win', () => {
    const result = validateTrainSpec(parseYaml(yamlSpec));
    assert.ok(result.ok, JSON.stringify(result));
    assert.equal(result.spec.onFailure, 'rollback-train');
    const waves = wavesOf(result.spec);
    assert.deepEqual(
      waves.map((w) => [w.name, w.maxParallel, w.requiresApproval, w.targets.length]),
      [
        ['canary region', undefined, false, 1],
        ['rest', 10, true, 2],
      ],
    );
    const worker = waves[1]?.targets[1];
    assert.equal(worker?.alias, 'blue');
    assert.equal(worker?.strategy, 'AllAtOnce');
    assert.equal(waves[1]?.targets[0]?.alias, 'live');
    assert.equal(waves[1]?.targets[0]?.health?.interval, '10s');
  });

  test("a target's problems carry its path, with the release spec's own messages", () => {
    const found = problems({
      name: 't',
      defaults: { alias: 'live' },
      waves: [
        { name: 'a', targets: [{ function: 'f', code: { s3Bucket: 'bucket', s3Key: 'k' } }] },
        {
          name: 'b',
          targets: [{ function: 'g', code: { s3Bucket: 'bucket', s3Key: 'k' }, strategy: 'Sometimes' }],
        },
      ],
    });
    assert.equal(found.length, 1);
    assert.match(found[0] ?? '', /^waves\.1\.targets\.0\.strategy: unknown strategy/);
  });

  test('a target missing what the defaults do not give is refused by field; unknown train fields too', () => {
    const found = problems({
      name: 't',
      waves: [{ name: 'a', targets: [{ function: 'f', code: { s3Bucket: 'bucket', s3Key: 'k' } }] }],
    });
    assert.ok(
      found.some((p) => p.startsWith('waves.0.targets.0.alias:')),
      found.join('\n'),
    );
    const policy = problems({ name: 't', waves: [{ name: 'a', targets: [{}] }], onFailure: 'panic' });
    assert.ok(
      policy.some((p) => p.startsWith('onFailure:')),
      policy.join('\n'),
    );
  });
});

function statusWith(outcomes: TrainStatus['waves'][number]['targets'][number]['outcome'][][]): TrainStatus {
  const status = initialTrainStatus(
    'train-x',
    {
      name: 'x',
      onFailure: 'rollback-train',
      waves: outcomes.map((wave, w) => ({
        name: `w${w}`,
        requiresApproval: false,
        targets: wave.map(
          (_, t) => ({ functionShortName: `f${t}`, alias: 'live', region: 'us-east-1' }) as never,
        ),
      })),
    },
    '2026-01-01T00:00:00.000Z',
  );
  for (const [w, wave] of outcomes.entries())
    for (const [t, outcome] of wave.entries()) {
      const target = status.waves[w]?.targets[t];
      if (target) target.outcome = outcome;
    }
  return status;
}

describe('the train outcome', () => {
  test('succeeded only when every target succeeded', () => {
    assert.equal(trainOutcomeOf(statusWith([['succeeded'], ['succeeded', 'succeeded']]), 3), 'succeeded');
  });
  test('a rollback that could not complete outranks an outside change, which outranks a stop', () => {
    assert.equal(
      trainOutcomeOf(statusWith([['needs_attention', 'conflict'], ['rolled_back']]), 1),
      'needs_attention',
    );
    assert.equal(trainOutcomeOf(statusWith([['succeeded', 'conflict'], ['rolled_back']]), 1), 'conflict');
    assert.equal(trainOutcomeOf(statusWith([['succeeded'], ['rolled_back', 'not_started']]), 1), 'stopped');
    assert.equal(trainOutcomeOf(statusWith([['rolled_back'], ['failed', 'not_started']]), 0), 'rolled_back');
  });
  test('controls are refused with the reason the state gives', () => {
    const status = statusWith([[null]]);
    assert.match(trainControlProblem(status, 'approve', undefined) ?? '', /not waiting for an approval/);
    assert.match(trainControlProblem(status, 'resume', undefined) ?? '', /not paused/);
    assert.equal(trainControlProblem(status, 'pause', undefined), undefined);
    assert.match(trainControlProblem(status, 'pause', { by: 'ann' }) ?? '', /already aborted by ann/);
  });
});
