import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { createFileArtifactStore } from '../../src/artifacts/file-artifact-store.ts';

test('two puts of the same zip at once both succeed and store it once (a train stages its targets together)', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'ramp-store-'));
  try {
    const store = createFileArtifactStore(dir);
    const bytes = Buffer.from('PK the same package');
    const [first, second] = await Promise.all([store.put(bytes), store.put(bytes)]);
    assert.deepEqual(first, second);
    assert.deepEqual(Buffer.from(await store.get(first)), bytes);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
