/**
 * The production topology of docker-compose.yml, run for real on one machine without Docker: PostgreSQL 15,
 * the Temporal server 1.29.1 on it, two `ramp worker` processes and `ramp api`, each process started with the
 * command and environment deploy/topology.ts gives the compose services. AWS is the only stand-in: Ramp's
 * simulator (Lambda, CloudWatch, STS, S3), in this process. Everything listens on loopback, on free ports.
 * `npm run stack:prod` (scripts/stack-prod.ts) and `npm run test:prod` (test/prod/) both start it from here.
 */
import { createHash, randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { type Simulator, startSimulator } from '../src/sim/index.ts';
import { findTemporalServer, type TemporalServerBinaries } from '../src/temporal/temporal-server-binaries.ts';
import { type ManagedProcess, runToEnd, startProcess } from './managed-process.ts';
import { type Postgres, startPostgres } from './postgres.ts';
import { freePorts, startTemporalServer, type TemporalServer } from './temporal-server.ts';
import {
  awsStandIn,
  image,
  processEnvironment,
  type RampServiceName,
  rampServices,
  type Site,
} from './topology.ts';

const root = resolve(import.meta.dirname, '..');
const portsBelow = 32_768;

export interface RampProcess extends ManagedProcess {
  service: RampServiceName;
  replica: number;
  /** Its environment, as the topology rendered it for this machine. */
  env: Record<string, string>;
  /** Where it answers: the API's URL, a worker's metrics and health (`/metrics`, `/healthz`). */
  url: string;
}

export interface ProdStack {
  /** The stack's directory: data, config, logs (`logs/`), the workflow bundle, the API's tokens file. */
  dir: string;
  logsDir: string;
  binaries: TemporalServerBinaries;
  postgres: Postgres;
  temporal: TemporalServer;
  sim: Simulator;
  workers: RampProcess[];
  api: RampProcess;
  /** The admin token of the API's tokens file (the file holds its SHA-256 only). */
  apiToken: string;
  /** How long each part took to come up, in ms. */
  timings: Record<string, number>;
  /** Starts a stopped worker replica again, with the same environment. */
  restartWorker(replica: number): Promise<RampProcess>;
  /** Stops everything in dependency order; removes the directory unless `keep`. */
  stop(options?: { keep?: boolean }): Promise<void>;
}

export interface ProdStackOptions {
  /**
   * The operator's environment: `operator` variables are read from it as compose interpolates them (default:
   * this process's; `{}` gives compose's defaults).
   */
  operatorEnv?: NodeJS.ProcessEnv;
  /** How long invocations take to reach the simulator's CloudWatch (AWS: about a minute). */
  simMetricDelayMs?: number;
  /** The simulator's update delay (how long updates stay InProgress). */
  simUpdateDelayMs?: number;
  temporalLogLevel?: 'debug' | 'info' | 'warn' | 'error';
  log?: (line: string) => void;
}

async function waitForHttp(
  url: string,
  process_: ManagedProcess,
  isReady: (status: number) => boolean,
  timeoutMs: number,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let last = 'no answer';
  for (;;) {
    if (!process_.isRunning()) throw new Error(`${process_.name} exited:\n${process_.tail()}`);
    try {
      const response = await fetch(url, { signal: AbortSignal.timeout(3_000) });
      await response.arrayBuffer();
      if (isReady(response.status)) return;
      last = `HTTP ${response.status}`;
    } catch (error) {
      last = (error as Error).message;
    }
    if (Date.now() > deadline)
      throw new Error(`${process_.name} did not answer ${url} in time (${last}):\n${process_.tail()}`);
    await new Promise((resolve_) => setTimeout(resolve_, 250));
  }
}

export async function startProdStack(options: ProdStackOptions = {}): Promise<ProdStack> {
  const log = options.log ?? ((line: string) => process.stderr.write(`${line}\n`));
  const operatorEnv = options.operatorEnv ?? process.env;
  const timings: Record<string, number> = {};
  const timed = async <T>(name: string, step: () => Promise<T> | T): Promise<T> => {
    const startedAt = Date.now();
    const result = await step();
    timings[name] = Date.now() - startedAt;
    return result;
  };

  // The binaries are this machine's (RAMP_TEMPORAL_SERVER_BIN, the cache under HOME, Go on PATH).
  const binaries = await timed('binaries', () => findTemporalServer({ env: process.env, log }));
  const dir = mkdtempSync(join(tmpdir(), 'ramp-prod-'));
  const logsDir = join(dir, 'logs');
  mkdirSync(logsDir);
  // What runs so far, stopped in reverse dependency order (stopAll) whether the start finished or not.
  const parts: StartedParts = { workers: [] };
  const killChildren = () => {
    for (const child of childrenOf(parts)) if (child.isRunning()) child.child.kill('SIGKILL');
  };
  // Processes of a stack whose owner exits without stopping it (a crash, a test runner's timeout) go too.
  process.once('exit', killChildren);
  try {
    // The image's bundle, built by the Dockerfile's own script while the databases come up.
    const workflowBundle = join(dir, 'workflow-bundle.js');
    const bundleBuilt = timed('workflow bundle', () =>
      runToEnd({
        name: 'build-workflow-bundle',
        command: process.execPath,
        args: ['--import', 'tsx', join(root, 'scripts/build-workflow-bundle.ts'), workflowBundle],
        cwd: root,
        env: {},
        logFile: join(logsDir, 'build-workflow-bundle.log'),
      }),
    );
    bundleBuilt.catch(() => {});

    // Ports are chosen just before each use, and below the kernel's ephemeral range (32768 up), where a
    // busy machine's own connections and `listen(0)` servers would otherwise take one in the meantime.
    const [pgPort = 0] = await freePorts(1, portsBelow);
    log(`ramp: starting PostgreSQL on 127.0.0.1:${pgPort}`);
    const postgres = await timed('postgres', () => startPostgres({ dir, port: pgPort, logsDir }));
    parts.postgres = postgres;

    log('ramp: loading the Temporal schemas and starting the Temporal server');
    const temporal = await timed('temporal server', () =>
      startTemporalServer({
        binaries,
        postgres,
        dir: join(dir, 'temporal'),
        logsDir,
        ...(options.temporalLogLevel ? { logLevel: options.temporalLogLevel } : {}),
      }),
    );
    parts.temporal = temporal;

    const sim = await startSimulator({
      // Port 0: the simulator is in this process and binds its port at once.
      region: operatorEnv.AWS_REGION || 'us-east-1',
      ...(options.simMetricDelayMs !== undefined ? { metricDelayMs: options.simMetricDelayMs } : {}),
      ...(options.simUpdateDelayMs !== undefined ? { updateDelayMs: options.simUpdateDelayMs } : {}),
    });
    parts.sim = sim;

    // Token auth as compose configures it: a tokens file holding a SHA-256, never the token.
    const apiToken = randomBytes(24).toString('hex');
    const apiTokensFile = join(dir, 'ramp-api-tokens.json');
    writeFileSync(
      apiTokensFile,
      JSON.stringify({
        tokens: [
          {
            name: 'stack-admin',
            sha256: createHash('sha256').update(apiToken).digest('hex'),
            scopes: ['admin'],
            functions: ['*'],
          },
        ],
      }),
      { mode: 0o600 },
    );
    await bundleBuilt;
    const [apiPort, ...workerPorts] = await freePorts(1 + rampServices['ramp-worker'].replicas, portsBelow);
    const site: Site = {
      temporalAddress: temporal.address,
      workflowBundle,
      apiHost: '127.0.0.1',
      apiPort: String(apiPort),
      apiTokensFile,
      workerMetricsHost: '127.0.0.1',
      workerMetricsPort: (replica) => String(workerPorts[replica]),
    };
    const standIn = awsStandIn(sim.endpoint, sim.clientConfig.credentials);

    const startRamp = (service: RampServiceName, replica: number): RampProcess => {
      const spec = rampServices[service];
      const env = processEnvironment(
        { ...image.environment, ...spec.environment },
        site,
        replica,
        operatorEnv,
        standIn,
      );
      const [command, ...entryArgs] = image.entrypoint;
      const child = startProcess({
        name: `${service}-${replica + 1}`,
        // `node bin/ramp.mjs <command>`, the image's entrypoint, with this Node.
        command: command === 'node' ? process.execPath : (command ?? process.execPath),
        args: [...entryArgs, ...spec.command],
        cwd: root,
        env,
        logFile: join(logsDir, `${service}-${replica + 1}.log`),
      });
      const url =
        service === 'ramp-api'
          ? `http://${env.RAMP_API_HOST}:${env.RAMP_API_PORT}`
          : `http://${env.RAMP_WORKER_METRICS_HOST}:${env.RAMP_WORKER_METRICS_PORT}`;
      return Object.assign(child, { service, replica, env, url });
    };
    const waitForWorker = (worker: RampProcess) =>
      waitForHttp(`${worker.url}/healthz`, worker, (status) => status === 200, 120_000);

    log('ramp: starting two `ramp worker` processes and `ramp api`');
    const workers = await timed('workers', async () => {
      const all = Array.from({ length: rampServices['ramp-worker'].replicas }, (_, replica) =>
        startRamp('ramp-worker', replica),
      );
      parts.workers = all;
      await Promise.all(all.map(waitForWorker));
      return all;
    });
    const api = await timed('api', async () => {
      const process_ = startRamp('ramp-api', 0);
      parts.api = process_;
      await waitForHttp(`${process_.url}/readyz`, process_, (status) => status === 200, 60_000);
      return process_;
    });

    return {
      dir,
      logsDir,
      binaries,
      postgres,
      temporal,
      sim,
      workers,
      api,
      apiToken,
      timings,
      async restartWorker(replica) {
        const previous = workers[replica];
        if (previous?.isRunning()) throw new Error(`worker ${replica + 1} is still running`);
        const worker = startRamp('ramp-worker', replica);
        workers[replica] = worker;
        await waitForWorker(worker);
        return worker;
      },
      async stop(stopOptions = {}) {
        await stopAll(parts);
        process.off('exit', killChildren);
        if (!stopOptions.keep) rmSync(dir, { recursive: true, force: true });
      },
    };
  } catch (error) {
    await stopAll(parts);
    process.off('exit', killChildren);
    throw new Error(`${(error as Error).message}\n(the stack's logs are in ${logsDir})`, { cause: error });
  }
}

interface StartedParts {
  postgres?: Postgres;
  temporal?: TemporalServer;
  sim?: Simulator;
  workers: ManagedProcess[];
  api?: ManagedProcess;
}

function childrenOf(parts: StartedParts): ManagedProcess[] {
  return [parts.api, ...parts.workers, parts.temporal?.process(), parts.postgres?.process].filter(
    (child): child is ManagedProcess => child !== undefined,
  );
}

/**
 * Stops what runs in reverse dependency order: the API, the workers together (each drains for its
 * RAMP_WORKER_SHUTDOWN_GRACE, then hands back what still runs), the simulator, Temporal, PostgreSQL.
 */
async function stopAll(parts: StartedParts): Promise<void> {
  const steps: (() => Promise<unknown>)[] = [
    async () => parts.api?.stop(15_000),
    // The shipped grace (30 s) plus the worker's own 10 s bound, and a little more before SIGKILL.
    async () => Promise.all(parts.workers.map((worker) => worker.stop(45_000))),
    async () => parts.sim?.close(),
    async () => parts.temporal?.stop(),
    async () => parts.postgres?.stop(),
  ];
  for (const step of steps) {
    try {
      await step();
    } catch {
      // Stop the rest anyway.
    }
  }
}
