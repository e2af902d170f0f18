/**
 * `npm run bench`: runs every benchmark in bench/ (or those named) against one real dev server, each
 * printing its figures. Benchmarks measure; they never pass or fail on speed.
 *   npm run bench                       all
 *   npm run bench -- bench/reaction-time.ts
 */
import { spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { startDevServer } from '../src/temporal/dev-server.ts';

const root = resolve(import.meta.dirname, '..');
const named = process.argv.slice(2);
const files =
  named.length > 0
    ? named
    : readdirSync(join(root, 'bench'))
        .filter((f) => f.endsWith('.ts'))
        .sort()
        .map((f) => `bench/${f}`);
const server = await startDevServer({ log: (line) => console.error(line) });
let failed = 0;
try {
  for (const file of files) {
    console.log(`\n=== ${file}`);
    const result = spawnSync(process.execPath, ['--import', 'tsx', file], {
      cwd: root,
      stdio: 'inherit',
      env: {
        ...process.env,
        RAMP_TEST_TEMPORAL_ADDRESS: server.address,
        RAMP_TEST_TEMPORAL_NAMESPACE: server.namespace,
      },
    });
    if (result.status !== 0) failed++;
  }
} finally {
  await server.stop();
}
process.exitCode = failed === 0 ? 0 : 1;
