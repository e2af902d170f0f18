/**
 * Pre-builds the workflow bundle for production workers (the Dockerfile runs this), as Temporal's
 * `production` sample does: workers then start without webpack and run exactly the reviewed code.
 *   tsx scripts/build-workflow-bundle.ts [out=dist/workflow-bundle.js]
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { bundleWorkflowCode } from '@temporalio/worker';

const out = resolve(process.argv[2] ?? 'dist/workflow-bundle.js');
const { code } = await bundleWorkflowCode({
  workflowsPath: resolve(import.meta.dirname, '../src/workflows/index.ts'),
  ignoreModules: [],
});
mkdirSync(dirname(out), { recursive: true });
writeFileSync(out, code);
console.log(`workflow bundle written to ${out} (${code.length} bytes)`);
