/**
 * The Temporal server 1.29.1 of the production topology, on the stack's PostgreSQL: what compose's
 * `temporalio/auto-setup` image does, step by step. The SQL tool creates the two databases and loads the
 * schemas it carries (`postgresql/v12/temporal`, `postgresql/v12/visibility`); the server runs every service
 * (frontend, history, matching, worker) in one process from a generated config, on loopback ports; then the
 * `default` namespace is registered (24 h retention, auto-setup's default) and Ramp's search attributes
 * with it, as the dev server path registers them.
 */

import { mkdirSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { join } from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { msToTs } from '@temporalio/common/lib/time.js';
import { stringify } from 'yaml';
import { rampSearchAttributes } from '../src/domain/search-attributes.ts';
import { ensureSearchAttributes } from '../src/temporal/connect.ts';
import { rampServerDynamicConfig } from '../src/temporal/server-dynamic-config.ts';
import type { TemporalServerBinaries } from '../src/temporal/temporal-server-binaries.ts';
import { type ManagedProcess, runToEnd, startProcess } from './managed-process.ts';
import { temporalDatabase } from './topology.ts';

export interface TemporalServerPorts {
  frontend: number;
  frontendHttp: number;
  frontendMembership: number;
  history: number;
  historyMembership: number;
  matching: number;
  matchingMembership: number;
  worker: number;
  workerMembership: number;
}

function listenOn(port: number): Promise<Server | undefined> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(undefined));
    server.listen(port, '127.0.0.1', () => resolve(server));
  });
}

const portOf = (server: Server) => {
  const address = server.address();
  return typeof address === 'object' && address ? address.port : 0;
};

/**
 * Free loopback ports, all held at once while they are chosen so that none is chosen twice. `below`: only
 * ports under it (the kernel hands out ports from 32768 up, so random ones are tried in 10000…below).
 */
export async function freePorts(count: number, below?: number): Promise<number[]> {
  const held: Server[] = [];
  try {
    for (let tries = 0; held.length < count; tries++) {
      if (tries > count * 50)
        throw new Error(`no ${count} free loopback ports${below ? ` below ${below}` : ''}`);
      const candidate = below ? 10_000 + Math.floor(Math.random() * (below - 10_000)) : 0;
      const server = await listenOn(candidate);
      if (server) held.push(server);
    }
    return held.map(portOf);
  } finally {
    await Promise.all(held.map((server) => new Promise((resolve) => server.close(resolve))));
  }
}

export async function freeServerPorts(): Promise<TemporalServerPorts> {
  const [
    frontend,
    frontendHttp,
    frontendMembership,
    history,
    historyMembership,
    matching,
    matchingMembership,
    worker,
    workerMembership,
    // Temporal records its services' ports in PostgreSQL as a smallint (cluster_membership.rpc_port).
  ] = (await freePorts(9, 32_768)) as [
    number,
    number,
    number,
    number,
    number,
    number,
    number,
    number,
    number,
  ];
  return {
    frontend,
    frontendHttp,
    frontendMembership,
    history,
    historyMembership,
    matching,
    matchingMembership,
    worker,
    workerMembership,
  };
}

/** The server's config (`config/production.yaml` under its root), as auto-setup renders it for postgres12. */
export function renderServerConfig(options: {
  ports: TemporalServerPorts;
  postgres: { host: string; port: number };
  dynamicConfigPath: string;
  logLevel: 'debug' | 'info' | 'warn' | 'error';
}): string {
  const { ports, postgres } = options;
  const datastore = (databaseName: string, maxConns: number) => ({
    sql: {
      pluginName: temporalDatabase.plugin,
      databaseName,
      connectAddr: `${postgres.host}:${postgres.port}`,
      connectProtocol: 'tcp',
      user: temporalDatabase.user,
      password: temporalDatabase.password,
      maxConns,
      maxIdleConns: maxConns,
      maxConnLifetime: '1h',
    },
  });
  const rpc = (grpcPort: number, membershipPort: number, extra: Record<string, number> = {}) => ({
    rpc: { grpcPort, membershipPort, bindOnLocalHost: true, ...extra },
  });
  return stringify({
    log: { stdout: true, level: options.logLevel },
    persistence: {
      defaultStore: 'postgres-default',
      visibilityStore: 'postgres-visibility',
      numHistoryShards: 4,
      datastores: {
        'postgres-default': datastore(temporalDatabase.databases.persistence, 20),
        'postgres-visibility': datastore(temporalDatabase.databases.visibility, 10),
      },
    },
    global: {
      membership: { maxJoinDuration: '30s', broadcastAddress: '127.0.0.1' },
      // Port 0: no pprof listener.
      pprof: { port: 0 },
    },
    services: {
      frontend: rpc(ports.frontend, ports.frontendMembership, { httpPort: ports.frontendHttp }),
      history: rpc(ports.history, ports.historyMembership),
      matching: rpc(ports.matching, ports.matchingMembership),
      worker: rpc(ports.worker, ports.workerMembership),
    },
    clusterMetadata: {
      enableGlobalNamespace: false,
      failoverVersionIncrement: 10,
      masterClusterName: 'active',
      currentClusterName: 'active',
      clusterInformation: {
        active: {
          enabled: true,
          initialFailoverVersion: 1,
          rpcName: 'frontend',
          rpcAddress: `127.0.0.1:${ports.frontend}`,
        },
      },
    },
    dcRedirectionPolicy: { policy: 'noop' },
    archival: { history: { state: 'disabled' }, visibility: { state: 'disabled' } },
    namespaceDefaults: {
      archival: { history: { state: 'disabled' }, visibility: { state: 'disabled' } },
    },
    dynamicConfigClient: { filepath: options.dynamicConfigPath, pollInterval: '10s' },
  });
}

/**
 * Dynamic config: the settings Ramp relies on (src/temporal/server-dynamic-config.ts), no version check (it calls temporal.io, which a closed network refuses), and the update
 * APIs on as the dev server turns them on (1.29's defaults already are).
 */
const dynamicConfig = stringify({
  ...Object.fromEntries(Object.entries(rampServerDynamicConfig).map(([key, value]) => [key, [{ value }]])),
  'frontend.enableServerVersionCheck': [{ value: false }],
  'frontend.enableUpdateWorkflowExecution': [{ value: true }],
  'frontend.enableUpdateWorkflowExecutionAsyncAccepted': [{ value: true }],
});

/** Creates both databases and loads the schemas, as auto-setup does (`create`, `setup-schema -v 0.0`, `update-schema`). */
export async function setupSchemas(options: {
  sqlTool: string;
  postgres: { host: string; port: number };
  logsDir: string;
}): Promise<void> {
  const connection = [
    '--plugin',
    temporalDatabase.plugin,
    '--endpoint',
    options.postgres.host,
    '--port',
    String(options.postgres.port),
    '--user',
    temporalDatabase.user,
    '--password',
    temporalDatabase.password,
  ];
  const logFile = join(options.logsDir, 'temporal-sql-tool.log');
  const schemas = [
    [temporalDatabase.databases.persistence, 'postgresql/v12/temporal'],
    [temporalDatabase.databases.visibility, 'postgresql/v12/visibility'],
  ] as const;
  for (const [database, schemaName] of schemas) {
    for (const args of [
      ['create-database'],
      ['setup-schema', '--version', '0.0'],
      ['update-schema', '--schema-name', schemaName],
    ]) {
      await runToEnd({
        name: `temporal-sql-tool ${args[0]} ${database}`,
        command: options.sqlTool,
        args: [...connection, '--database', database, ...args],
        env: {},
        logFile,
      });
    }
  }
}

export interface TemporalServer {
  address: string;
  namespace: string;
  ports: TemporalServerPorts;
  /** The running server process (a new one after each restart). */
  process(): ManagedProcess;
  /** SIGTERM (the server shuts down gracefully; killed after 30 s). */
  stop(): Promise<void>;
  /** Starts it again on the same config, ports and databases; resolves once it serves. */
  start(): Promise<void>;
}

/** Until the frontend says it serves (the gRPC health check `temporal operator cluster health` asks). */
async function waitUntilServing(
  address: string,
  server: () => ManagedProcess,
  timeoutMs: number,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let lastProblem = 'not tried';
  for (;;) {
    if (!server().isRunning()) throw new Error(`the Temporal server exited:\n${server().tail()}`);
    try {
      const connection = await Connection.connect({ address, connectTimeout: 2_000 });
      try {
        // A short deadline per try, so a frontend that hangs is asked again.
        const health = await connection.withDeadline(Date.now() + 3_000, () =>
          connection.healthService.check({ service: 'temporal.api.workflowservice.v1.WorkflowService' }),
        );
        if (health.status === 1) {
          await connection.workflowService.getSystemInfo({});
          return;
        }
        lastProblem = `health status ${health.status}`;
      } finally {
        await connection.close();
      }
    } catch (error) {
      lastProblem = (error as Error).message;
    }
    if (Date.now() > deadline) {
      throw new Error(
        `the Temporal server did not serve on ${address} in time (${lastProblem}):\n${server().tail()}`,
      );
    }
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

/** Registers the namespace if it is missing, then Ramp's search attributes; resolves once a Ramp query runs. */
async function registerNamespace(address: string, namespace: string, timeoutMs: number): Promise<void> {
  const connection = await Connection.connect({ address });
  try {
    const service = connection.workflowService;
    try {
      await service.describeNamespace({ namespace });
    } catch {
      await service.registerNamespace({
        namespace,
        workflowExecutionRetentionPeriod: msToTs('1 day'),
      });
    }
    const client = new Client({ connection, namespace });
    const deadline = Date.now() + timeoutMs;
    const ramp = rampSearchAttributes[0]?.name ?? 'RampFunction';
    for (;;) {
      try {
        // A new namespace reaches the services' caches within their refresh interval; until then this fails.
        await ensureSearchAttributes(client, { info: () => {} });
        await client.workflow.count(`${ramp} = "readiness"`);
        return;
      } catch (error) {
        if (Date.now() > deadline)
          throw new Error(`namespace ${namespace} was not usable in time: ${(error as Error).message}`);
      }
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
  } finally {
    await connection.close();
  }
}

export async function startTemporalServer(options: {
  binaries: TemporalServerBinaries;
  postgres: { host: string; port: number };
  /** The server's root: its config goes in `config/` under it. */
  dir: string;
  logsDir: string;
  namespace?: string;
  logLevel?: 'debug' | 'info' | 'warn' | 'error';
  timeoutMs?: number;
}): Promise<TemporalServer> {
  const namespace = options.namespace ?? 'default';
  const timeoutMs = options.timeoutMs ?? 120_000;
  await setupSchemas({
    sqlTool: options.binaries.sqlTool,
    postgres: options.postgres,
    logsDir: options.logsDir,
  });

  const ports = await freeServerPorts();
  const configDir = join(options.dir, 'config');
  mkdirSync(configDir, { recursive: true });
  const dynamicConfigPath = join(configDir, 'dynamicconfig.yaml');
  writeFileSync(dynamicConfigPath, dynamicConfig);
  writeFileSync(
    join(configDir, 'production.yaml'),
    renderServerConfig({
      ports,
      postgres: options.postgres,
      dynamicConfigPath,
      logLevel: options.logLevel ?? 'warn',
    }),
  );
  const address = `127.0.0.1:${ports.frontend}`;
  const spawnServer = () =>
    startProcess({
      name: 'temporal-server',
      command: options.binaries.server,
      args: ['--root', options.dir, '--config', 'config', '--env', 'production', '--allow-no-auth', 'start'],
      env: {},
      logFile: join(options.logsDir, 'temporal-server.log'),
    });
  let current = spawnServer();
  const server = () => current;
  await waitUntilServing(address, server, timeoutMs);
  await registerNamespace(address, namespace, timeoutMs);
  return {
    address,
    namespace,
    ports,
    process: server,
    async stop() {
      await current.stop(30_000);
    },
    async start() {
      if (current.isRunning()) return;
      current = spawnServer();
      await waitUntilServing(address, server, timeoutMs);
    },
  };
}
