import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { describe, test } from 'node:test';
import { bundleWorkflowCode, Worker } from '@temporalio/worker';
import { DeterminismViolationError } from '@temporalio/workflow';
import { bundlerLogger } from '../../src/temporal/bundler-logger.ts';

// Every recorded history of the release workflow must replay on today's code: a change that would break
// running releases fails here, before it reaches a worker. Histories are recorded by
// scripts/record-histories.test.ts against the simulator and committed under test/fixtures/histories/.
const historiesDir = new URL('../fixtures/histories/', import.meta.url);
const historyFiles = readdirSync(historiesDir)
  .filter((name) => name.endsWith('.json'))
  .sort();
const bundle = bundleWorkflowCode({
  workflowsPath: new URL('../../src/workflows/index.ts', import.meta.url).pathname,
  logger: bundlerLogger({ isSilent: true }),
});

function readHistory(name: string): { events: Record<string, unknown>[] } {
  return JSON.parse(readFileSync(new URL(name, historiesDir), 'utf8')) as {
    events: Record<string, unknown>[];
  };
}

describe('replaying recorded release histories', () => {
  test('there are recorded histories to replay', () => {
    assert.ok(historyFiles.length >= 3, `found ${historyFiles.join(', ')}`);
  });

  for (const name of historyFiles) {
    test(`${name} replays on the current workflow code`, async () => {
      await Worker.runReplayHistory(
        { workflowBundle: { code: (await bundle).code } },
        readHistory(name),
        name,
      );
    });
  }

  test('a tampered history (an activity swapped for another) fails with a determinism violation', async () => {
    const [first] = historyFiles;
    assert.ok(first);
    const history = readHistory(first);
    const scheduled = history.events.find((event) => event.activityTaskScheduledEventAttributes) as
      | { activityTaskScheduledEventAttributes: { activityType: { name: string } } }
      | undefined;
    assert.ok(scheduled, 'the history schedules an activity');
    scheduled.activityTaskScheduledEventAttributes.activityType.name = 'notARampActivity';

    await assert.rejects(
      Worker.runReplayHistory(
        { workflowBundle: { code: (await bundle).code } },
        history,
        `tampered-${first}`,
      ),
      DeterminismViolationError,
    );
  });
});
