import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { test } from 'node:test';

// Typecheck and lint are part of `npm test`, so the one test command (and CI's summary line) covers them.
const root = new URL('../..', import.meta.url).pathname;

function run(bin: string, args: string[]): { status: number | null; output: string } {
  const result = spawnSync(`${root}node_modules/.bin/${bin}`, args, { cwd: root, encoding: 'utf8' });
  return { status: result.status, output: `${result.stdout}${result.stderr}` };
}

test('the code typechecks under strict TypeScript', () => {
  const { status, output } = run('tsc', ['--noEmit', '-p', 'tsconfig.json']);
  assert.equal(status, 0, output);
});

test('the code passes the formatter and linter', () => {
  const { status, output } = run('biome', ['check', '.']);
  assert.equal(status, 0, output);
});
