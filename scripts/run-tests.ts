/**
 * The README's test command (`npm test`): one real Temporal dev server for the whole run, one workflow
 * bundle built once, then Node's test runner over an explicit file list. Ends with `N passed, N failed`.
 *
 *   npm test                      every test
 *   npm test -- test/sim          only files under these paths
 */
import { existsSync, mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative, resolve } from 'node:path';
import { bundleWorkflowCode } from '@temporalio/worker';
import { bundlerLogger } from '../src/temporal/bundler-logger.ts';
import { startDevServer } from '../src/temporal/dev-server.ts';
import { reportRun, runNodeTests } from './node-test-run.ts';

const root = resolve(import.meta.dirname, '..');
const testWorkflowsPath = join(root, 'test/fixtures/workflows/index.ts');
const prodTests = join(root, 'test', 'prod');

function testFiles(under: string[]): string[] {
  const files: string[] = [];
  const walk = (path: string): void => {
    if (statSync(path).isDirectory()) {
      for (const name of readdirSync(path).sort()) {
        // test/prod runs on the production topology, by `npm run test:prod` (scripts/run-prod-tests.ts).
        const child = join(path, name);
        if (name !== 'node_modules' && name !== 'fixtures' && child !== prodTests) walk(child);
      }
    } else if (path.endsWith('.test.ts')) {
      files.push(relative(root, path));
    }
  };
  for (const path of under.length > 0 ? under : ['test']) walk(resolve(root, path));
  return files;
}

async function main(): Promise<number> {
  const missing = process.argv.slice(2).filter((path) => !existsSync(resolve(root, path)));
  if (missing.length > 0) {
    console.log(`No such test file or folder: ${missing.join(', ')}\n0 passed, 1 failed`);
    return 1;
  }
  const files = testFiles(process.argv.slice(2));
  if (files.length === 0) {
    console.log('No test files found.\n0 passed, 1 failed');
    return 1;
  }
  const scratch = mkdtempSync(join(tmpdir(), 'ramp-test-'));
  const startedAt = Date.now();
  const server = await startDevServer({ log: (line) => console.error(line) });
  console.error(`ramp: Temporal dev server on ${server.address} (${Date.now() - startedAt} ms)`);
  try {
    const bundleStartedAt = Date.now();
    const bundle = await bundleWorkflowCode({ workflowsPath: testWorkflowsPath, logger: bundlerLogger() });
    const bundlePath = join(scratch, 'workflow-bundle.js');
    writeFileSync(bundlePath, bundle.code);
    console.error(`ramp: workflow bundle built (${Date.now() - bundleStartedAt} ms)`);

    const summaryPath = join(scratch, 'summary.json');
    const exitCode = await runNodeTests(
      files,
      {
        ...process.env,
        RAMP_TEST_TEMPORAL_ADDRESS: server.address,
        RAMP_TEST_TEMPORAL_NAMESPACE: server.namespace,
        RAMP_TEST_WORKFLOW_BUNDLE: bundlePath,
      },
      summaryPath,
    );
    return reportRun(summaryPath, exitCode);
  } finally {
    await server.stop();
    rmSync(scratch, { recursive: true, force: true });
  }
}

process.exitCode = await main();
