import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import type { HealthConfig } from '../../src/domain/health-spec.ts';
import { validateReleaseSpec } from '../../src/domain/spec.ts';
import { judgeProbes, withProbeChecks } from '../../src/health/probe-judge.ts';
import { type ProbeOutcome, type ProbeResult, valueAtJsonPath } from '../../src/health/probes.ts';

const startMs = Date.UTC(2026, 10, 28, 12, 0, 0);

const config: HealthConfig = {
  intervalMs: 1000,
  alarms: [],
  preexistingAlarms: 'ignore',
  probes: { ratePerSecond: 5, timeoutMs: 3000, payloads: [{}], preTrafficMs: 5000 },
};

/** Probes at 5 per second, each failing as `fails(i)` says. */
const probes = (count: number, fails: (i: number) => boolean, result: ProbeResult = 'functionError') =>
  Array.from(
    { length: count },
    (_, i): ProbeOutcome => ({
      atMs: startMs + i * 200,
      result: fails(i) ? result : 'ok',
      durationMs: 5,
      ...(fails(i) ? { detail: 'Unhandled' } : {}),
    }),
  );

const judge = (candidate: ProbeOutcome[], stable: ProbeOutcome[] | null) =>
  judgeProbes({ config, candidateVersion: '3', stableVersion: stable ? '2' : null, candidate, stable });

const statusOf = (checks: ReturnType<typeof judge>, name: string) =>
  checks.find((check) => check.name === name)?.status;

describe('judging synthetic probes', () => {
  test('fails a candidate whose last 8 probes all failed while stable answered, naming the reason', () => {
    const checks = judge(
      probes(8, () => true),
      probes(8, () => false),
    );
    const consecutive = checks.find((check) => check.name === 'probes: last 8 of the candidate');
    assert.equal(consecutive?.status, 'fail');
    assert.match(consecutive?.measured ?? '', /8 of the last 8 probes of version 3 failed \(Unhandled ×8\)/);
    assert.match(consecutive?.against ?? '', /stable version 2: 0 of its last 8 failed/);
  });

  test('counts timeouts and unexpected answers as failures', () => {
    for (const result of ['timeout', 'unexpected'] as const) {
      const checks = judge(
        probes(10, () => true, result),
        probes(10, () => false),
      );
      assert.equal(statusOf(checks, 'probes: last 8 of the candidate'), 'fail', result);
    }
  });

  test('is inconclusive until 8 probes of the candidate have answered; throttled ones do not count', () => {
    const checks = judge(
      [
        ...probes(5, () => true),
        ...probes(10, () => true, 'throttled').map((o) => ({ ...o, atMs: o.atMs + 2000 })),
      ],
      probes(15, () => false),
    );
    assert.deepEqual(
      checks.map((check) => check.status),
      ['inconclusive'],
    );
    assert.match(checks[0]?.measured ?? '', /5 probes of version 3 answered \(10 throttled\)/);
  });

  test('does not blame the candidate when stable fails as much (a dependency is down)', () => {
    const checks = judge(
      probes(40, () => true),
      probes(40, () => true),
    );
    assert.equal(statusOf(checks, 'probes: last 8 of the candidate'), 'pass');
    assert.equal(statusOf(checks, 'probes: failure rate vs stable'), 'pass');
  });

  test('the sequential test fails a candidate failing half its probes against a healthy stable', () => {
    const checks = judge(
      probes(60, (i) => i % 2 === 0),
      probes(60, () => false),
    );
    assert.equal(statusOf(checks, 'probes: last 8 of the candidate'), 'pass');
    const rate = checks.find((check) => check.name === 'probes: failure rate vs stable');
    assert.equal(rate?.status, 'fail');
    assert.match(rate?.measured ?? '', /50\.00% failed \(30\/60\)/);
    assert.match(rate?.against ?? '', /stable 0\.00% failed \(0\/60\); tolerance ×1\.2/);
  });

  test('a first release (no stable) is judged on the consecutive failures alone', () => {
    assert.equal(
      statusOf(
        judge(
          probes(8, () => true),
          null,
        ),
        'probes: last 8 of the candidate',
      ),
      'fail',
    );
    assert.deepEqual(
      judge(
        probes(20, () => false),
        null,
      ).map((check) => check.status),
      ['pass'],
    );
  });

  test('a healthy candidate equal to a slightly flaky stable is never failed, however often it is judged', () => {
    // Both versions fail 2 % of probes; the judge looks after every probe, as a 1 s monitor nearly does.
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 2 ** 31 - 1 }), (seed) => {
        let state = seed;
        const random = () => {
          state = (state * 1103515245 + 12345) % 2 ** 31;
          return state / 2 ** 31;
        };
        const candidate = probes(300, () => random() < 0.02);
        const stable = probes(300, () => random() < 0.02);
        for (let n = 8; n <= 300; n += 4) {
          const checks = judge(candidate.slice(0, n), stable.slice(0, n));
          if (checks.some((check) => check.status === 'fail')) return false;
        }
        return true;
      }),
      { numRuns: 50, seed: 12 },
    );
  });

  test('probe checks join a verdict that is waiting for CloudWatch: a failure does not wait for it', () => {
    const waiting = {
      status: 'inconclusive' as const,
      message: 'waiting for CloudWatch (data up to 12:00:00)',
      checks: [
        {
          name: 'metrics',
          status: 'inconclusive' as const,
          measured: 'waiting for CloudWatch (data up to 12:00:00)',
        },
      ],
    };
    assert.equal(
      withProbeChecks(
        waiting,
        judge(
          probes(8, () => true),
          probes(8, () => false),
        ),
      ).status,
      'fail',
    );
    assert.equal(
      withProbeChecks(
        waiting,
        judge(
          probes(8, () => false),
          probes(8, () => false),
        ),
      ).status,
      'inconclusive',
    );
    assert.equal(
      withProbeChecks(
        { status: 'pass', message: 'no health checks configured' },
        judge(
          probes(8, () => false),
          probes(8, () => false),
        ),
      ).status,
      'pass',
    );
  });

  test('reads simple JSON paths from an answer', () => {
    const answer = { statusCode: 200, body: [{ ok: true }] };
    assert.equal(valueAtJsonPath(answer, '$.statusCode'), 200);
    assert.equal(valueAtJsonPath(answer, '$.body[0].ok'), true);
    assert.equal(valueAtJsonPath(answer, '$.missing.deeper'), undefined);
    assert.deepEqual(valueAtJsonPath(answer, '$'), answer);
  });
});

describe('health.probes in a release spec', () => {
  const spec = (probes: unknown) => ({
    function: 'payments',
    alias: 'live',
    code: { zipFile: 'UEsFBgAAAAAAAAAAAAAAAAAAAAAAAA==' },
    strategy: 'Canary10Percent5Minutes',
    health: { interval: '1s', probes },
  });

  test('takes the shape of the issue, with defaults for what is left out', () => {
    const result = validateReleaseSpec(
      spec({
        ratePerSecond: 5,
        timeout: '3s',
        payloads: [{ path: '/health' }],
        expect: { jsonPath: '$.statusCode', equals: 200 },
      }),
    );
    assert.ok(result.ok, JSON.stringify(!result.ok && result.problems));
    assert.deepEqual(result.spec.health?.probes, {
      ratePerSecond: 5,
      timeout: '3s',
      payloads: [{ path: '/health' }],
      expect: { jsonPath: '$.statusCode', equals: 200 },
      preTraffic: '5s',
    });
    const defaults = validateReleaseSpec(spec({}));
    assert.ok(defaults.ok);
    assert.deepEqual(defaults.spec.health?.probes, {
      ratePerSecond: 5,
      timeout: '3s',
      payloads: [{}],
      preTraffic: '5s',
    });
  });

  test('says what is wrong with a rate, a timeout, a path or an unknown field', () => {
    const result = validateReleaseSpec(
      spec({ ratePerSecond: 500, timeout: '5m', expect: { jsonPath: 'statusCode', equals: 200 }, every: 1 }),
    );
    assert.ok(!result.ok);
    const fields = result.problems.map((problem) => problem.field).sort();
    assert.deepEqual(fields, [
      'health.probes',
      'health.probes.expect.jsonPath',
      'health.probes.ratePerSecond',
      'health.probes.timeout',
    ]);
  });

  test('keeps payloads small: they travel in the release input and every health activity input', () => {
    const big = validateReleaseSpec(
      spec({ payloads: [{ body: 'x'.repeat(5000) }, { body: 'y'.repeat(5000) }] }),
    );
    assert.ok(!big.ok);
    assert.deepEqual(
      big.problems.map((problem) => [problem.field, problem.message]),
      [['health.probes.payloads', 'JSON of at most 8192 bytes in all']],
    );
    const many = validateReleaseSpec(spec({ payloads: Array.from({ length: 11 }, (_, i) => ({ i })) }));
    assert.ok(!many.ok);
    assert.equal(many.problems[0]?.field, 'health.probes.payloads');
  });
});
