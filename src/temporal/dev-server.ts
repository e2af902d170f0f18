import { TestWorkflowEnvironment } from '@temporalio/testing';
import { rampSearchAttributes } from '../domain/search-attributes.ts';
import { devServerDynamicConfigArgs } from './server-dynamic-config.ts';
import { type FindOptions, findTemporalCli } from './temporal-cli.ts';

/**
 * Starts a real Temporal dev server (`temporal server start-dev`, SQLite-backed) with Ramp's search
 * attributes registered and the server settings Ramp relies on (server-dynamic-config.ts). Used by the
 * test runner (one server per run, in memory) and by the local stack (persisted to a file so releases
 * survive a restart).
 */
export interface DevServerOptions extends FindOptions {
  ip?: string;
  /** gRPC port; a free one when absent. */
  port?: number;
  /** Persist to this SQLite file; in memory when absent. */
  dbFilename?: string;
  namespace?: string;
  /** Start the Web UI on this port. */
  uiPort?: number;
  logLevel?: 'debug' | 'info' | 'warn' | 'error';
  /** The Web UI decodes payloads through this remote codec endpoint (Ramp's API `/codec`, with encryption on). */
  uiCodecEndpoint?: string;
  /** The server's dynamic config; Ramp's own settings when absent (a test may start a server without them). */
  dynamicConfig?: Readonly<Record<string, boolean | number | string>>;
}

export interface DevServer {
  /** host:port of the frontend gRPC service. */
  address: string;
  namespace: string;
  uiUrl: string | undefined;
  env: TestWorkflowEnvironment;
  stop(): Promise<void>;
}

export async function startDevServer(options: DevServerOptions = {}): Promise<DevServer> {
  const cli = findTemporalCli(options);
  const namespace = options.namespace ?? 'default';
  const ip = options.ip ?? '127.0.0.1';
  const env = await TestWorkflowEnvironment.createLocal({
    server: {
      executable:
        cli.kind === 'binary' ? { type: 'existing-path', path: cli.path } : { type: 'cached-download' },
      ip,
      namespace,
      searchAttributes: rampSearchAttributes,
      log: { format: 'pretty', level: options.logLevel ?? 'error' },
      ...(options.port !== undefined ? { port: options.port } : {}),
      ...(options.dbFilename !== undefined ? { dbFilename: options.dbFilename } : {}),
      ...(options.uiPort !== undefined ? { ui: true, uiPort: options.uiPort } : {}),
      extraArgs: [
        ...devServerDynamicConfigArgs(options.dynamicConfig),
        ...(options.uiCodecEndpoint ? ['--ui-codec-endpoint', options.uiCodecEndpoint] : []),
      ],
    },
  });
  const address = env.connection.options.address;
  return {
    address,
    namespace,
    uiUrl: options.uiPort !== undefined ? `http://${ip}:${options.uiPort}` : undefined,
    env,
    stop: () => env.teardown(),
  };
}
