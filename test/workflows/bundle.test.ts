import assert from 'node:assert/strict';
import { test } from 'node:test';
import { bundleWorkflowCode } from '@temporalio/worker';
import { bundlerLogger } from '../../src/temporal/bundler-logger.ts';

// Workflows run in a deterministic sandbox: a stray Node built-in or SDK client in workflow code would
// otherwise only show up as a worker crash-looping at start. The bundler refuses such modules, so
// bundling is the check; `ignoreModules` stays empty so nothing is silently stubbed out.

test('the production workflows bundle without any disallowed or ignored module', async () => {
  const bundle = await bundleWorkflowCode({
    workflowsPath: new URL('../../src/workflows/index.ts', import.meta.url).pathname,
    ignoreModules: [],
    logger: bundlerLogger({ isSilent: true }),
  });
  assert.ok(bundle.code.length > 0);
});

test('a workflow that imports a Node built-in is refused by the bundle check', async () => {
  const errors: string[] = [];
  await assert.rejects(
    bundleWorkflowCode({
      workflowsPath: new URL('../fixtures/bad-workflows/index.ts', import.meta.url).pathname,
      ignoreModules: [],
      logger: bundlerLogger({ isSilent: true, onError: (message) => errors.push(message) }),
    }),
    /Webpack finished with errors/,
  );
  assert.match(errors.join('\n'), /node:fs/);
});
