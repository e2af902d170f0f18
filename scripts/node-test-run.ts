/**
 * Node's test runner over an explicit file list, with the summary reporter CI's `N passed, N failed` line is
 * read from. Shared by `npm test` (scripts/run-tests.ts) and `npm run test:prod` (scripts/run-prod-tests.ts).
 */
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { join, resolve } from 'node:path';

const root = resolve(import.meta.dirname, '..');

export function runNodeTests(
  files: string[],
  env: NodeJS.ProcessEnv,
  summaryPath: string,
  concurrency: number | string = process.env.RAMP_TEST_CONCURRENCY ?? Math.max(2, availableParallelism()),
): Promise<number> {
  const args = [
    '--import',
    'tsx',
    '--test',
    `--test-concurrency=${concurrency}`,
    '--test-reporter=spec',
    '--test-reporter-destination=stdout',
    `--test-reporter=${join(root, 'test/reporters/summary.mjs')}`,
    `--test-reporter-destination=${summaryPath}`,
    ...files,
  ];
  return new Promise((resolveExit) => {
    const child = spawn(process.execPath, args, { cwd: root, env, stdio: 'inherit' });
    child.on('exit', (code, signal) => resolveExit(code ?? (signal ? 1 : 0)));
  });
}

export function readSummary(path: string): { passed: number; failed: number } | undefined {
  try {
    return JSON.parse(readFileSync(path, 'utf8')) as { passed: number; failed: number };
  } catch {
    return undefined;
  }
}

/**
 * Prints the run's last line, `N passed, N failed` (what CI reads), and returns the exit code. A runner that
 * exited before reporting, or crashed after some tests passed, must not read as green.
 */
export function reportRun(summaryPath: string, exitCode: number): number {
  const summary = readSummary(summaryPath);
  if (!summary) {
    console.log(`The test runner exited with ${exitCode} before reporting.\n0 passed, 1 failed`);
    return 1;
  }
  const failed = summary.failed + (exitCode !== 0 && summary.failed === 0 ? 1 : 0);
  console.log(`${summary.passed} passed, ${failed} failed`);
  return failed === 0 ? 0 : 1;
}
