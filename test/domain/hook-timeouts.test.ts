import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { hookActivityTimeouts, maxHookTimeoutMs } from '../../src/domain/hook-timeouts.ts';
import { validateReleaseSpec } from '../../src/domain/spec.ts';

const zip = Buffer.from('PK fake zip').toString('base64');
const specWithHookTimeout = (timeout: string) => ({
  function: 'f',
  alias: 'live',
  code: { zipFile: zip },
  health: { hooks: { beforeTraffic: { http: 'https://example.com/check' }, timeout } },
});

describe('hook timeouts', () => {
  test("the hook activity outlasts the hook's own timeout, so no attempt times out while its call still runs", () => {
    for (const hookTimeoutMs of [1_000, 35_000, 60_000, maxHookTimeoutMs]) {
      const timeouts = hookActivityTimeouts(hookTimeoutMs);
      assert.ok(timeouts.startToCloseMs > hookTimeoutMs, `${hookTimeoutMs}`);
      // A lost worker is noticed in seconds, even during an hour-long hook.
      assert.ok(timeouts.heartbeatTimeoutMs <= 30_000);
      assert.ok(timeouts.heartbeatTimeoutMs < timeouts.startToCloseMs);
    }
  });

  test('a hook timeout beyond one hour is refused by the spec, saying why; one hour is accepted', () => {
    const refused = validateReleaseSpec(specWithHookTimeout('61m'));
    assert.equal(refused.ok, false);
    const problem = refused.ok ? undefined : refused.problems.find((p) => p.field === 'health.hooks.timeout');
    assert.ok(problem, JSON.stringify(refused));
    assert.match(problem.message, /1h/);
    assert.ok(validateReleaseSpec(specWithHookTimeout('1h')).ok);
    assert.ok(validateReleaseSpec(specWithHookTimeout('35s')).ok);
    assert.throws(() => hookActivityTimeouts(maxHookTimeoutMs + 1), RangeError);
  });
});
