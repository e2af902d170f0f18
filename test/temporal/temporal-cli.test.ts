import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';

const findCli = new URL('../../src/temporal/temporal-cli.ts', import.meta.url).pathname;

function findInChild(env: NodeJS.ProcessEnv): Promise<string> {
  const script = `import { findTemporalCli } from ${JSON.stringify(findCli)};
const cli = findTemporalCli({ allowDownload: false, log: () => {} });
process.stdout.write(cli.kind === 'binary' ? cli.path : cli.kind);`;
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], {
      env,
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let out = '';
    child.stdout.on('data', (chunk) => {
      out += chunk;
    });
    child.on('exit', (code) => (code === 0 ? resolve(out) : reject(new Error(`exit ${code}`))));
  });
}

test('two processes that need the Temporal CLI at once build it once: the second waits for the first', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'ramp-cli-lock-'));
  try {
    // A stand-in `go` that takes a while and counts its builds: the real build takes minutes.
    const bin = join(dir, 'bin');
    const builds = join(dir, 'builds');
    writeFileSync(builds, '');
    await import('node:fs').then((fs) => fs.mkdirSync(bin));
    writeFileSync(
      join(bin, 'go'),
      `#!/bin/sh\necho build >> ${builds}\nsleep 2\nprintf '#!/bin/sh\\n' > "$GOBIN/temporal"\nchmod +x "$GOBIN/temporal"\n`,
    );
    chmodSync(join(bin, 'go'), 0o755);
    const env = {
      ...process.env,
      PATH: `${bin}:/usr/bin:/bin`,
      XDG_CACHE_HOME: join(dir, 'cache'),
      RAMP_TEMPORAL_BIN: '',
    };
    const [first, second] = await Promise.all([findInChild(env), findInChild(env)]);

    const expected = join(dir, 'cache', 'ramp', 'temporal-v1.5.1', 'temporal');
    assert.equal(first, expected);
    assert.equal(second, expected);
    assert.equal(readFileSync(builds, 'utf8').trim().split('\n').length, 1);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
