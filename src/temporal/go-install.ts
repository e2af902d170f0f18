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
 * Building Temporal's Go binaries into Ramp's cache outside the clone (`~/.cache/ramp/<name>-<version>/`),
 * once per machine: the CLI that carries the dev server (temporal-cli.ts), and the server and its SQL schema
 * tool of the production topology (temporal-server-binaries.ts).
 */
export interface GoBinary {
  /** `go install` argument: `module/path/cmd/x@version`. */
  packagePath: string;
  /** The file `go install` writes: the package path's last element. */
  installedAs: string;
  /** Its name in the cache. */
  cachedAs: string;
}

export function rampCacheDir(name: string, env: NodeJS.ProcessEnv = process.env): string {
  const cacheHome = env.XDG_CACHE_HOME || join(env.HOME || homedir(), '.cache');
  return join(cacheHome, 'ramp', name);
}

export function isExecutable(path: string): boolean {
  try {
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

export function findGo(env: NodeJS.ProcessEnv): string | undefined {
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
 * (mkdir is atomic) holding its pid; the others wait for the binaries, and take over a lock whose owner
 * has died. `isBuilt` says whether every binary is in the cache.
 */
export function withBuildLock(
  cacheDir: string,
  what: string,
  isBuilt: () => boolean,
  log: (line: string) => void,
  build: () => void,
): void {
  mkdirSync(cacheDir, { recursive: true });
  const lockDir = join(cacheDir, '.build-lock');
  const deadline = Date.now() + buildWaitMs;
  let hasSaidWaiting = false;
  for (;;) {
    try {
      mkdirSync(lockDir);
      writeFileSync(join(lockDir, 'pid'), String(process.pid));
      break;
    } catch {
      if (isBuilt()) return;
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
        log(`ramp: waiting for another process (pid ${owner}) that is building ${what}`);
        hasSaidWaiting = true;
      }
      sleepSync(2_000);
    }
  }
  try {
    if (!isBuilt()) build();
  } finally {
    rmSync(lockDir, { recursive: true, force: true });
  }
}

/**
 * `go install`s the binaries into a private directory, then renames each into the cache (the last one
 * last), so a process looking at the cache never finds a half-written binary or half a set. Returns the
 * build's duration in milliseconds.
 */
export function goInstallIntoCache(options: {
  go: string;
  cacheDir: string;
  binaries: GoBinary[];
  env: NodeJS.ProcessEnv;
  log: (line: string) => void;
  what: string;
}): number {
  const { go, cacheDir, binaries, env, log, what } = options;
  mkdirSync(cacheDir, { recursive: true });
  const buildDir = mkdtempSync(join(cacheDir, '.build-'));
  const packages = binaries.map((binary) => binary.packagePath);
  log(
    `ramp: building ${what} with \`go install ${packages.join(' ')}\` (minutes, once; cached in ${cacheDir})`,
  );
  const startedAt = Date.now();
  const result = spawnSync(go, ['install', ...packages], {
    env: {
      ...env,
      GOBIN: buildDir,
      // The machine's own Go: never a toolchain download behind the operator's back.
      GOTOOLCHAIN: 'local',
      GOFLAGS: `${env.GOFLAGS ?? ''} -buildvcs=false`.trim(),
    },
    stdio: ['ignore', 'inherit', 'inherit'],
  });
  try {
    if (result.status !== 0) {
      throw new Error(
        `go install ${packages.join(' ')} exited with ${result.status ?? result.signal ?? result.error?.message}`,
      );
    }
    for (const binary of binaries)
      renameSync(join(buildDir, binary.installedAs), join(cacheDir, binary.cachedAs));
    const tookMs = Date.now() - startedAt;
    log(`ramp: built ${what} in ${Math.round(tookMs / 1000)} s`);
    return tookMs;
  } finally {
    rmSync(buildDir, { recursive: true, force: true });
  }
}
