import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
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

/**
 * Safe upgrades (docs/operations.md): the histories the previous tagged version of Ramp shipped as fixtures
 * must replay on today's code as that version committed them. Read from git at the latest tag: a fixture
 * deleted or re-recorded since then fails here, and its shipped original is replayed, so neither can hide a
 * break. Without a tag (or outside a git checkout) there is no previous version to check against.
 */
const repoRoot = fileURLToPath(new URL('../../', import.meta.url));
const fixturesPath = 'test/fixtures/histories';

function git(args: string[]): string {
  return execFileSync('git', args, {
    cwd: repoRoot,
    encoding: 'utf8',
    maxBuffer: 64 * 1024 * 1024,
    stdio: ['ignore', 'pipe', 'ignore'],
  });
}

function previousTag(): string | null {
  try {
    return git(['describe', '--tags', '--abbrev=0', 'HEAD']).trim() || null;
  } catch {
    return null;
  }
}

const tag = existsSync(new URL('.git', `file://${repoRoot}`)) ? previousTag() : null;

describe('replaying the histories of the previous tagged version', {
  skip: tag ? false : 'no tag: no previous version of Ramp to upgrade from (tag releases: git tag v0.2.0)',
}, () => {
  const shipped = tag
    ? git(['ls-tree', `${tag}:${fixturesPath}`])
        .split('\n')
        .filter((line) => line.endsWith('.json'))
        .map((line) => {
          const [meta = '', name = ''] = line.split('\t');
          return { name, blob: meta.split(' ')[2] ?? '' };
        })
    : [];
  const today = new Map(
    historyFiles.map((name) => [name, git(['hash-object', `${fixturesPath}/${name}`]).trim()]),
  );
  const changed = shipped.filter(({ name, blob }) => today.get(name) !== blob);

  test(`the ${shipped.length} histories ${tag} shipped are all still here, unchanged`, () => {
    assert.ok(shipped.length >= 3, `found ${shipped.length}`);
    assert.deepEqual(
      changed.map(({ name }) => (today.has(name) ? `${name} (rewritten)` : `${name} (deleted)`)),
      [],
      'a shipped fixture is what running releases look like: record new ones under a new prefix',
    );
  });

  for (const { name, blob } of changed) {
    test(`${name} as ${tag} shipped it replays on the current workflow code`, async () => {
      const history = JSON.parse(git(['cat-file', 'blob', blob])) as { events: Record<string, unknown>[] };
      await Worker.runReplayHistory(
        { workflowBundle: { code: (await bundle).code } },
        history,
        `${tag}-${name}`,
      );
    });
  }
});
