import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';

// The import graph's one-way layers (.dependency-cruiser.cjs), checked as part of `npm test`.
const root = new URL('../..', import.meta.url).pathname;
const config = join(root, '.dependency-cruiser.cjs');

function cruise(cwd: string): { status: number | null; output: string } {
  const result = spawnSync(
    join(root, 'node_modules/.bin/depcruise'),
    ['src', '--config', config, '--output-type', 'err'],
    { cwd, encoding: 'utf8' },
  );
  return { status: result.status, output: `${result.stdout}${result.stderr}` };
}

test('imports have no cycle and run only downward: domain ← health ← activities, API away from the worker', () => {
  const { status, output } = cruise(root);
  assert.equal(status, 0, output);
});

test('the rules catch an upward import and a cycle (so a green run means something)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'ramp-depcruise-'));
  try {
    cpSync(join(root, 'tsconfig.json'), join(dir, 'tsconfig.json'));
    for (const folder of ['domain', 'health', 'activities'])
      mkdirSync(join(dir, 'src', folder), { recursive: true });
    writeFileSync(
      join(dir, 'src/domain/plan.ts'),
      "import { gate } from '../health/gate.ts';\nexport const plan = gate;\n",
    );
    writeFileSync(
      join(dir, 'src/health/gate.ts'),
      "import type { Step } from '../activities/step.ts';\nexport const gate = 1;\nexport type S = Step;\n",
    );
    writeFileSync(
      join(dir, 'src/activities/step.ts'),
      "import { gate } from '../health/gate.ts';\nexport type Step = typeof gate;\n",
    );
    const { status, output } = cruise(dir);
    assert.notEqual(status, 0, output);
    assert.match(output, /domain-imports-nothing-of-ours-above-it/);
    assert.match(output, /health-imports-only-lower-layers/);
    assert.match(output, /no-cycles/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
