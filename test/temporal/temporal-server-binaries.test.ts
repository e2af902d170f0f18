import assert from 'node:assert/strict';
import { chmodSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import {
  findTemporalServer,
  TemporalServerNotFoundError,
  temporalServerCacheDir,
} from '../../src/temporal/temporal-server-binaries.ts';

function executable(path: string, body = '#!/bin/sh\n'): string {
  writeFileSync(path, body);
  chmodSync(path, 0o755);
  return path;
}

function scratch(): string {
  return mkdtempSync(join(tmpdir(), 'ramp-server-bin-'));
}

test('RAMP_TEMPORAL_SERVER_BIN and RAMP_TEMPORAL_SQL_TOOL_BIN come first, and only both together', () => {
  const dir = scratch();
  try {
    const server = executable(join(dir, 'temporal-server'));
    const sqlTool = executable(join(dir, 'temporal-sql-tool'));
    const env = {
      HOME: dir,
      PATH: '',
      RAMP_TEMPORAL_SERVER_BIN: server,
      RAMP_TEMPORAL_SQL_TOOL_BIN: sqlTool,
    };
    assert.deepEqual(findTemporalServer({ env, allowBuild: false }), { server, sqlTool, source: 'env' });
    assert.throws(
      () => findTemporalServer({ env: { ...env, RAMP_TEMPORAL_SQL_TOOL_BIN: '' }, allowBuild: false }),
      (error: Error) =>
        error instanceof TemporalServerNotFoundError &&
        /RAMP_TEMPORAL_SQL_TOOL_BIN=: not an executable file/.test(error.message) &&
        /set both variables, or neither/.test(error.message),
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('builds both with one `go install` (GOTOOLCHAIN=local) into the cache beside the CLI, then finds them there', () => {
  const dir = scratch();
  try {
    // A stand-in `go` that records how it was called and writes the two binaries `go install` would.
    const bin = join(dir, 'bin');
    mkdirSync(bin);
    executable(
      join(bin, 'go'),
      `#!/bin/sh\necho "$GOTOOLCHAIN $*" > ${join(dir, 'go-call')}\nprintf '#!/bin/sh\\n' > "$GOBIN/server"\nprintf '#!/bin/sh\\n' > "$GOBIN/sql"\nchmod +x "$GOBIN/server" "$GOBIN/sql"\n`,
    );
    const env = { HOME: dir, PATH: `${bin}:/usr/bin:/bin`, XDG_CACHE_HOME: join(dir, 'cache') };
    const cacheDir = join(dir, 'cache', 'ramp', 'temporal-server-v1.29.1');
    assert.equal(temporalServerCacheDir(env), cacheDir);

    const built = findTemporalServer({ env, log: () => {} });
    assert.equal(built.source, 'built');
    assert.equal(built.server, join(cacheDir, 'temporal-server'));
    assert.equal(built.sqlTool, join(cacheDir, 'temporal-sql-tool'));
    assert.deepEqual(
      readdirSync(cacheDir).sort(),
      ['temporal-server', 'temporal-sql-tool'],
      'no build leftovers',
    );
    assert.equal(
      readFileSync(join(dir, 'go-call'), 'utf8').trim(),
      'local install go.temporal.io/server/cmd/tools/sql@v1.29.1 go.temporal.io/server/cmd/server@v1.29.1',
    );

    assert.equal(findTemporalServer({ env, allowBuild: false }).source, 'cache');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('when it finds nothing and may not build, the error lists every place it looked and how to fix it', () => {
  const dir = scratch();
  try {
    const env = { HOME: dir, PATH: dir, XDG_CACHE_HOME: join(dir, 'cache') };
    assert.throws(
      () => findTemporalServer({ env, allowBuild: false }),
      (error: Error) =>
        error instanceof TemporalServerNotFoundError &&
        error.message.includes('RAMP_TEMPORAL_SERVER_BIN, RAMP_TEMPORAL_SQL_TOOL_BIN: not set') &&
        error.message.includes(
          `cache ${join(dir, 'cache', 'ramp', 'temporal-server-v1.29.1')}: not there yet`,
        ) &&
        error.message.includes('go install: not allowed here') &&
        error.message.includes('go install go.temporal.io/server/cmd/server@v1.29.1'),
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
