import { delimiter, join } from 'node:path';
import { findGo, goInstallIntoCache, isExecutable, rampCacheDir, withBuildLock } from './go-install.ts';

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
  return rampCacheDir(`temporal-${temporalCliVersion}`, env);
}

function findOnPath(env: NodeJS.ProcessEnv): string | undefined {
  for (const dir of (env.PATH ?? '').split(delimiter)) {
    if (!dir) continue;
    const candidate = join(dir, 'temporal');
    if (isExecutable(candidate)) return candidate;
  }
  return undefined;
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
        const what = `the Temporal CLI ${temporalCliVersion}`;
        withBuildLock(
          cacheDir,
          what,
          () => isExecutable(cached),
          log,
          () => {
            goInstallIntoCache({
              go,
              cacheDir,
              binaries: [{ packagePath: modulePath, installedAs: 'temporal', cachedAs: 'temporal' }],
              env,
              log,
              what,
            });
          },
        );
        return { kind: 'binary', path: cached, source: 'built' };
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
