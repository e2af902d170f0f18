/**
 * PostgreSQL for the production topology without Docker: Debian's package (postgresql-15, the major version
 * of docker-compose.yml's image), a new cluster in a temporary directory, listening on loopback only. The
 * superuser is `temporal` with password `temporal`, as compose's `POSTGRES_USER`/`POSTGRES_PASSWORD` make it.
 * PostgreSQL refuses to run as root, so as root it runs as the `postgres` user.
 */
import { spawn } from 'node:child_process';
import { chmodSync, chownSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { type ManagedProcess, runToEnd, startProcess } from './managed-process.ts';
import { postgresMajor, temporalDatabase } from './topology.ts';

export const postgresBinDir = `/usr/lib/postgresql/${postgresMajor}/bin`;

export interface Postgres {
  host: string;
  port: number;
  process: ManagedProcess;
  /** Fast shutdown (SIGINT): disconnects clients, then stops. */
  stop(): Promise<void>;
}

/** The `postgres` user's uid and gid, when this process is root (PostgreSQL will not run as root). */
function runAsOf(): { uid: number; gid: number } | undefined {
  if (process.getuid?.() !== 0) return undefined;
  const entry = readFileSync('/etc/passwd', 'utf8')
    .split('\n')
    .map((line) => line.split(':'))
    .find((fields) => fields[0] === 'postgres');
  if (!entry) {
    throw new Error(
      "PostgreSQL refuses to run as root and there is no `postgres` user: install Debian's postgresql-15 (it creates one), or run as another user",
    );
  }
  return { uid: Number(entry[2]), gid: Number(entry[3]) };
}

function isReady(host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const child = spawn(join(postgresBinDir, 'pg_isready'), ['-q', '-h', host, '-p', String(port)], {
      stdio: 'ignore',
    });
    child.once('error', () => resolve(false));
    child.once('exit', (code) => resolve(code === 0));
  });
}

export async function startPostgres(options: {
  /** A directory of the stack's; the cluster goes in `postgres/` under it. */
  dir: string;
  port: number;
  logsDir: string;
  timeoutMs?: number;
}): Promise<Postgres> {
  const initdb = join(postgresBinDir, 'initdb');
  if (!existsSync(initdb)) {
    throw new Error(
      `PostgreSQL ${postgresMajor} is not installed (no ${initdb}): apt-get install postgresql-${postgresMajor}`,
    );
  }
  const host = '127.0.0.1';
  const runAs = runAsOf();
  const root = join(options.dir, 'postgres');
  const dataDir = join(root, 'data');
  const socketDir = join(root, 'socket');
  const passwordFile = join(root, 'password');
  mkdirSync(socketDir, { recursive: true });
  writeFileSync(passwordFile, temporalDatabase.password, { mode: 0o600 });
  if (runAs) {
    // The postgres user must reach its directory through the stack's (made by mkdtemp, 0700).
    chmodSync(options.dir, 0o711);
    for (const path of [root, socketDir, passwordFile]) chownSync(path, runAs.uid, runAs.gid);
  }
  const asUser = runAs ?? {};
  await runToEnd({
    name: 'initdb',
    command: initdb,
    args: [
      '-D',
      dataDir,
      '-U',
      temporalDatabase.user,
      `--pwfile=${passwordFile}`,
      '--auth=scram-sha-256',
      '--encoding=UTF8',
      '--locale=C',
      // A throwaway cluster: no need to wait for its files to reach the disk.
      '--no-sync',
    ],
    env: {},
    logFile: join(options.logsDir, 'postgres-initdb.log'),
    ...asUser,
  });
  const server = startProcess({
    name: 'postgres',
    command: join(postgresBinDir, 'postgres'),
    args: ['-D', dataDir, '-h', host, '-p', String(options.port), '-k', socketDir],
    env: {},
    logFile: join(options.logsDir, 'postgres.log'),
    ...asUser,
  });
  const deadline = Date.now() + (options.timeoutMs ?? 60_000);
  while (!(await isReady(host, options.port))) {
    if (!server.isRunning() || Date.now() > deadline) {
      await server.stop();
      throw new Error(`PostgreSQL did not start on ${host}:${options.port}:\n${server.tail()}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  return {
    host,
    port: options.port,
    process: server,
    async stop() {
      await server.stop(30_000, 'SIGINT');
    },
  };
}
