import { spawnSync } from 'node:child_process';
import {
  accessSync,
  constants,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  renameSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { homedir } from 'node:os';
import { delimiter, join } from 'node:path';

/**
 * Finds a runnable `temporal` CLI (which carries the dev server) without a hand step, in this order:
 * RAMP_TEMPORAL_BIN, `temporal` on PATH, Ramp's cache outside the clone, `go install` into that cache,
 * and last the Temporal SDK's own download (for machines with internet but no Go).
 *
 * v1.5.1 is pinned: it is the newest tag of temporalio/cli without a `replace` directive in its go.mod,
 * and `go install pkg@version` refuses modules that have one.
 */
export const temporalCliVersion = 'v1.5.1';
const modulePath = `github.com/temporalio/cli/cmd/temporal@${temporalCliVersion}`;

export type TemporalCli =
  | { kind: 'binary'; path: string; source: 'env' | 'path' | 'cache' | 'built' }
  /** No binary here: let @temporalio/testing download the CLI when the server starts. */
  | { kind: 'sdk-download' };

export interface FindOptions {
  env?: NodeJS.ProcessEnv;
  /** Allow building with `go install` (minutes, once). Default true. */
  allowBuild?: boolean;
  /** Allow the SDK's download as the last route. Default true. */
  allowDownload?: boolean;
  log?: (line: string) => void;
}

export function temporalCacheDir(env: NodeJS.ProcessEnv = process.env): string {
  const cacheHome = env.XDG_CACHE_HOME || join(env.HOME || homedir(), '.cache');
  return join(cacheHome, 'ramp', `temporal-${temporalCliVersion}`);
}

function isExecutable(path: string): boolean {
  try {
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

function findOnPath(env: NodeJS.ProcessEnv): string | undefined {
  for (const dir of (env.PATH ?? '').split(delimiter)) {
    if (!dir) continue;
    const candidate = join(dir, 'temporal');
    if (isExecutable(candidate)) return candidate;
  }
  return undefined;
}

function findGo(env: NodeJS.ProcessEnv): string | undefined {
  for (const dir of [
    ...(env.PATH ?? '').split(delimiter),
    '/usr/local/go/bin',
    join(env.HOME || homedir(), 'go', 'bin'),
  ]) {
    if (dir && isExecutable(join(dir, 'go'))) return join(dir, 'go');
  }
  return undefined;
}

function sleepSync(ms: number): void {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** How long a process waits for another one's build before it gives up waiting. */
const buildWaitMs = 30 * 60_000;

/**
 * One build at a time per cache: several test runs or stacks started together (CI steps, worktrees)
 * would otherwise each compile the same few hundred packages at once. The first takes a lock directory
 * (mkdir is atomic) holding its pid; the others wait for the binary, and take over a lock whose owner
 * has died.
 */
function withBuildLock(cacheDir: string, log: (line: string) => void, build: () => string): string {
  mkdirSync(cacheDir, { recursive: true });
  const lockDir = join(cacheDir, '.build-lock');
  const target = join(cacheDir, 'temporal');
  const deadline = Date.now() + buildWaitMs;
  let hasSaidWaiting = false;
  for (;;) {
    try {
      mkdirSync(lockDir);
      writeFileSync(join(lockDir, 'pid'), String(process.pid));
      break;
    } catch {
      if (isExecutable(target)) return target;
      let owner = Number.NaN;
      try {
        owner = Number(readFileSync(join(lockDir, 'pid'), 'utf8'));
      } catch {
        // The owner has made the directory but not written its pid yet.
      }
      if (Number.isInteger(owner) && owner > 0 && !isAlive(owner)) {
        rmSync(lockDir, { recursive: true, force: true });
        continue;
      }
      if (Date.now() > deadline)
        throw new Error(`another process's build (pid ${owner}) did not finish in time`);
      if (!hasSaidWaiting) {
        log(`ramp: waiting for another process (pid ${owner}) that is building the Temporal CLI`);
        hasSaidWaiting = true;
      }
      sleepSync(2_000);
    }
  }
  try {
    return isExecutable(target) ? target : build();
  } finally {
    rmSync(lockDir, { recursive: true, force: true });
  }
}

/**
 * Builds the CLI into a private directory, then renames it into the cache, so a process looking at the
 * cache never finds a half-written binary.
 */
function buildWithGo(
  go: string,
  cacheDir: string,
  env: NodeJS.ProcessEnv,
  log: (line: string) => void,
): string {
  mkdirSync(cacheDir, { recursive: true });
  const buildDir = mkdtempSync(join(cacheDir, '.build-'));
  log(
    `ramp: building the Temporal CLI ${temporalCliVersion} with \`go install\` (a few minutes, once; cached in ${cacheDir})`,
  );
  const started = Date.now();
  const result = spawnSync(go, ['install', modulePath], {
    env: {
      ...env,
      GOBIN: buildDir,
      GOTOOLCHAIN: 'local',
      GOFLAGS: `${env.GOFLAGS ?? ''} -buildvcs=false`.trim(),
    },
    stdio: ['ignore', 'inherit', 'inherit'],
  });
  try {
    if (result.status !== 0) {
      throw new Error(
        `go install ${modulePath} exited with ${result.status ?? result.signal ?? result.error?.message}`,
      );
    }
    const target = join(cacheDir, 'temporal');
    renameSync(join(buildDir, 'temporal'), target);
    log(`ramp: built the Temporal CLI in ${Math.round((Date.now() - started) / 1000)} s`);
    return target;
  } finally {
    rmSync(buildDir, { recursive: true, force: true });
  }
}

export class TemporalCliNotFoundError extends Error {
  constructor(tried: string[]) {
    super(
      `Ramp could not find or build the Temporal CLI (it runs the dev server). Tried:\n${tried.map((t) => `  - ${t}`).join('\n')}\n` +
        'Fix it with one of: install the CLI (https://docs.temporal.io/cli) and put `temporal` on PATH; ' +
        'set RAMP_TEMPORAL_BIN=/path/to/temporal; or install Go (1.23+) so Ramp can run ' +
        `\`go install ${modulePath}\` itself.`,
    );
    this.name = 'TemporalCliNotFoundError';
  }
}

export function findTemporalCli(options: FindOptions = {}): TemporalCli {
  const env = options.env ?? process.env;
  const log = options.log ?? ((line: string) => process.stderr.write(`${line}\n`));
  const tried: string[] = [];

  const fromEnv = env.RAMP_TEMPORAL_BIN;
  if (fromEnv) {
    if (isExecutable(fromEnv)) return { kind: 'binary', path: fromEnv, source: 'env' };
    tried.push(`RAMP_TEMPORAL_BIN=${fromEnv}: not an executable file`);
  } else {
    tried.push('RAMP_TEMPORAL_BIN: not set');
  }

  const onPath = findOnPath(env);
  if (onPath) return { kind: 'binary', path: onPath, source: 'path' };
  tried.push('`temporal` on PATH: not found');

  const cacheDir = temporalCacheDir(env);
  const cached = join(cacheDir, 'temporal');
  if (isExecutable(cached)) return { kind: 'binary', path: cached, source: 'cache' };
  tried.push(`cache ${cached}: not there yet`);

  if (options.allowBuild !== false) {
    const go = findGo(env);
    if (go) {
      try {
        const built = withBuildLock(cacheDir, log, () => buildWithGo(go, cacheDir, env, log));
        return { kind: 'binary', path: built, source: 'built' };
      } catch (error) {
        tried.push(`go install with ${go}: ${(error as Error).message}`);
      }
    } else {
      tried.push('go install: no `go` on PATH or in /usr/local/go/bin');
    }
  } else {
    tried.push('go install: not allowed here');
  }

  if (options.allowDownload !== false && env.RAMP_TEMPORAL_NO_DOWNLOAD !== '1') {
    log("ramp: falling back to the Temporal SDK's download of the CLI (needs internet)");
    return { kind: 'sdk-download' };
  }
  tried.push("the SDK's download: disabled (RAMP_TEMPORAL_NO_DOWNLOAD=1)");
  throw new TemporalCliNotFoundError(tried);
}
