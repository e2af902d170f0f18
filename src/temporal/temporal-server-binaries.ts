import { join } from 'node:path';
import {
  findGo,
  type GoBinary,
  goInstallIntoCache,
  isExecutable,
  rampCacheDir,
  withBuildLock,
} from './go-install.ts';

/**
 * The Temporal server and its SQL schema tool, as the production topology runs them without Docker
 * (`npm run stack:prod`, `npm run test:prod`). The same version as docker-compose.yml's image
 * (`temporalio/auto-setup:1.29.1`; a test holds the two together). Found without a hand step, in this
 * order: RAMP_TEMPORAL_SERVER_BIN and RAMP_TEMPORAL_SQL_TOOL_BIN, Ramp's cache beside the CLI's
 * (`~/.cache/ramp/temporal-server-v1.29.1/`), then `go install` into that cache (minutes, once).
 *
 * The schema tool carries the server's SQL schemas (`--schema-name postgresql/v12/…`), the very files of
 * go.temporal.io/server@v1.29.1/schema, so nothing is read from the Go module cache at run time.
 */
export const temporalServerVersion = 'v1.29.1';

const binaries = {
  server: {
    packagePath: `go.temporal.io/server/cmd/server@${temporalServerVersion}`,
    installedAs: 'server',
    cachedAs: 'temporal-server',
  },
  sqlTool: {
    packagePath: `go.temporal.io/server/cmd/tools/sql@${temporalServerVersion}`,
    installedAs: 'sql',
    cachedAs: 'temporal-sql-tool',
  },
} satisfies Record<string, GoBinary>;

const envOverrides = { server: 'RAMP_TEMPORAL_SERVER_BIN', sqlTool: 'RAMP_TEMPORAL_SQL_TOOL_BIN' } as const;

export interface TemporalServerBinaries {
  server: string;
  sqlTool: string;
  source: 'env' | 'cache' | 'built';
  /** How long the `go install` took, when this call built them. */
  buildMs?: number;
}

export interface FindServerOptions {
  env?: NodeJS.ProcessEnv;
  /** Allow building with `go install` (minutes, once). Default true. */
  allowBuild?: boolean;
  log?: (line: string) => void;
}

export function temporalServerCacheDir(env: NodeJS.ProcessEnv = process.env): string {
  return rampCacheDir(`temporal-server-${temporalServerVersion}`, env);
}

export class TemporalServerNotFoundError extends Error {
  constructor(tried: string[]) {
    super(
      `Ramp could not find or build the Temporal server ${temporalServerVersion} and its SQL tool. Tried:\n${tried.map((t) => `  - ${t}`).join('\n')}\n` +
        `Fix it with one of: install Go (1.25+) and let Ramp run \`go install ${binaries.server.packagePath} ${binaries.sqlTool.packagePath}\` itself; ` +
        `or set ${envOverrides.server} and ${envOverrides.sqlTool} to binaries of that version (temporal-server and temporal-sql-tool of the temporalio/server image).`,
    );
    this.name = 'TemporalServerNotFoundError';
  }
}

export function findTemporalServer(options: FindServerOptions = {}): TemporalServerBinaries {
  const env = options.env ?? process.env;
  const log = options.log ?? ((line: string) => process.stderr.write(`${line}\n`));
  const tried: string[] = [];

  const fromEnv = { server: env[envOverrides.server], sqlTool: env[envOverrides.sqlTool] };
  if (fromEnv.server || fromEnv.sqlTool) {
    const problems = (['server', 'sqlTool'] as const)
      .filter((name) => !(fromEnv[name] && isExecutable(fromEnv[name])))
      .map((name) => `${envOverrides[name]}=${fromEnv[name] ?? ''}: not an executable file`);
    if (problems.length === 0 && fromEnv.server && fromEnv.sqlTool)
      return { server: fromEnv.server, sqlTool: fromEnv.sqlTool, source: 'env' };
    // Half an override is a mistake to report, not a reason to build something else behind it.
    throw new TemporalServerNotFoundError([...problems, 'set both variables, or neither']);
  }
  tried.push(`${envOverrides.server}, ${envOverrides.sqlTool}: not set`);

  const cacheDir = temporalServerCacheDir(env);
  const cached = {
    server: join(cacheDir, binaries.server.cachedAs),
    sqlTool: join(cacheDir, binaries.sqlTool.cachedAs),
  };
  const isCached = () => isExecutable(cached.server) && isExecutable(cached.sqlTool);
  if (isCached()) return { ...cached, source: 'cache' };
  tried.push(`cache ${cacheDir}: not there yet`);

  if (options.allowBuild === false) {
    tried.push('go install: not allowed here');
    throw new TemporalServerNotFoundError(tried);
  }
  const go = findGo(env);
  if (!go) {
    tried.push('go install: no `go` on PATH or in /usr/local/go/bin');
    throw new TemporalServerNotFoundError(tried);
  }
  const what = `the Temporal server ${temporalServerVersion} and its SQL tool`;
  let buildMs: number | undefined;
  try {
    // The SQL tool is renamed into the cache before the server, so a present server means a complete set.
    withBuildLock(cacheDir, what, isCached, log, () => {
      buildMs = goInstallIntoCache({
        go,
        cacheDir,
        binaries: [binaries.sqlTool, binaries.server],
        env,
        log,
        what,
      });
    });
  } catch (error) {
    tried.push(`go install with ${go}: ${(error as Error).message}`);
    throw new TemporalServerNotFoundError(tried);
  }
  return { ...cached, source: 'built', ...(buildMs !== undefined ? { buildMs } : {}) };
}
