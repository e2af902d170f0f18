/**
 * `npm run test:prod`: the tests under test/prod, on the production topology they start themselves
 * (deploy/prod-stack.ts: PostgreSQL 15, the Temporal server 1.29.1, two `ramp worker` processes, `ramp api`).
 * One file at a time: each brings up a whole topology. Ends with `N passed, N failed`, like `npm test`.
 *
 *   npm run test:prod                           every file under test/prod
 *   npm run test:prod -- test/prod/x.test.ts    these files
 */
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative, resolve } from 'node:path';
import { reportRun, runNodeTests } from './node-test-run.ts';

const root = resolve(import.meta.dirname, '..');

function prodTestFiles(args: string[]): string[] {
  if (args.length > 0) return args;
  const dir = join(root, 'test', 'prod');
  return readdirSync(dir)
    .filter((name) => name.endsWith('.test.ts'))
    .sort()
    .map((name) => relative(root, join(dir, name)));
}

async function main(): Promise<number> {
  const files = prodTestFiles(process.argv.slice(2));
  if (files.length === 0) {
    console.log('No test files found.\n0 passed, 1 failed');
    return 1;
  }
  const scratch = mkdtempSync(join(tmpdir(), 'ramp-test-prod-'));
  const startedAt = Date.now();
  try {
    const summaryPath = join(scratch, 'summary.json');
    const exitCode = await runNodeTests(files, process.env, summaryPath, 1);
    console.error(
      `ramp: the production-topology tests took ${Math.round((Date.now() - startedAt) / 1000)} s`,
    );
    return reportRun(summaryPath, exitCode);
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
}

process.exitCode = await main();
