/**
 * An abort sent just as an early step ends reaches the workflow in the same workflow task as that step's
 * result. The workflow then tries to end, the server rejects the task (UnhandledCommand: another event
 * arrived meanwhile) and drops the update with it, answering FAILED_PRECONDITION. Before the release
 * client sent such an update again, the abort answered an error and never happened: the release went on
 * to shift traffic. Aborts are sent here at staggered moments over the first half second, which hit that
 * window several times per run on this machine.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { withReleaseStack, zipBase64 } from '../helpers/release-stack.ts';
import { uniqueName } from '../helpers/temporal.ts';
import { waitForEnd } from '../helpers/wait-for.ts';

const releases = 24;
const staggerMs = 20;

describe('an abort sent while an early step ends', () => {
  test('is never lost: every abort answers, and every release ends aborted with nothing shifted', async () => {
    await withReleaseStack({}, async (stack) => {
      const functions = Array.from({ length: releases }, () => uniqueName('earlyabort'));
      for (const fn of functions) await stack.createFunctionWithAlias(fn, 'live');
      // One at a time: a release started alongside others reaches that window at a less predictable moment.
      const outcomes = [];
      for (const [index, fn] of functions.entries()) {
        const id = await stack.startRelease({
          function: fn,
          alias: 'live',
          code: { zipFile: zipBase64() },
          strategy: { steps: [{ weight: 10, bake: '1h' }] },
        });
        await sleep(index * staggerMs);
        const answer = await stack.releases
          .control(id, 'abort', { by: 'oncall', reason: `early ${index}` })
          .then(
            () => 'taken',
            (error: Error & { type?: string }) => `${error.type ?? error.constructor.name}: ${error.message}`,
          );
        assert.equal(answer, 'taken', `abort ${index} answered: ${answer}`);
        outcomes.push({ fn, index, status: await waitForEnd(stack.releases, id, 30_000) });
      }
      for (const { fn, index, status } of outcomes) {
        assert.equal(status.outcome, 'rolled_back', `release ${index}`);
        assert.match(status.lastError?.message ?? '', new RegExp(`oncall: early ${index}`));
        // The alias never carries the candidate once the release has ended.
        const last = stack.sim.aliasHistory(fn, 'live').at(-1);
        assert.deepEqual(last?.additionalVersionWeights ?? {}, {}, `alias of release ${index}`);
      }
    });
  });
});
