/**
 * The worker's own HTTP port (RAMP_WORKER_METRICS_PORT): `/metrics` and `/healthz`, so a worker that runs
 * as its own process (production, docker-compose) can be scraped and health-checked like the API.
 *
 * Two registries make one page: Ramp's (prom-client, recorded by activities) and the Temporal SDK's runtime
 * metrics (its Rust core's Prometheus exporter, `temporal_…`). The SDK's exporter can only serve on an
 * address of its own, so it listens on a loopback port nobody else sees, and `/metrics` appends its text
 * to Ramp's: one scrape target per worker, one port to open.
 */
import { createServer, type Server } from 'node:http';
import { type AddressInfo, createServer as createNetServer } from 'node:net';
import type { Logger } from './logger.ts';
import { metricsRegistry } from './metrics.ts';

export interface WorkerMetricsServerOptions {
  host: string;
  /** 0: any free port (the chosen one is in `url`). */
  port: number;
  /** The worker's state, as its SDK names it: `/healthz` answers 200 only while it is RUNNING. */
  workerState(): string;
  /** The Temporal SDK's Prometheus exporter (`http://127.0.0.1:<port>/metrics`), when installed. */
  sdkMetricsUrl?: string | undefined;
  logger?: Logger;
}

export interface WorkerMetricsServer {
  url: string;
  close(): Promise<void>;
}

/** A free loopback port for the SDK's exporter: asked of the OS, then handed to the Temporal runtime. */
export async function freeLoopbackPort(): Promise<number> {
  const server = createNetServer();
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

async function sdkMetricsText(url: string | undefined): Promise<string> {
  if (!url) return '';
  try {
    const response = await fetch(url, { signal: AbortSignal.timeout(2_000) });
    if (!response.ok) return `# temporal SDK metrics unavailable: HTTP ${response.status}\n`;
    return await response.text();
  } catch (error) {
    // Ramp's own figures are still worth serving when the SDK's exporter does not answer.
    return `# temporal SDK metrics unavailable: ${(error as Error).message}\n`;
  }
}

export async function startWorkerMetricsServer(
  options: WorkerMetricsServerOptions,
): Promise<WorkerMetricsServer> {
  const server: Server = createServer((request, response) => {
    const path = new URL(request.url ?? '/', 'http://worker').pathname;
    if (request.method !== 'GET' && request.method !== 'HEAD') {
      response.writeHead(405, { allow: 'GET, HEAD' }).end();
      return;
    }
    if (path === '/healthz') {
      const state = options.workerState();
      const isRunning = state === 'RUNNING';
      response
        .writeHead(isRunning ? 200 : 503, { 'content-type': 'application/json' })
        .end(JSON.stringify({ status: isRunning ? 'ok' : 'unavailable', workerState: state }));
      return;
    }
    if (path === '/metrics') {
      Promise.all([metricsRegistry.metrics(), sdkMetricsText(options.sdkMetricsUrl)])
        .then(([ramp, sdk]) => {
          response
            .writeHead(200, { 'content-type': metricsRegistry.contentType })
            .end(`${ramp.endsWith('\n') ? ramp : `${ramp}\n`}${sdk}`);
        })
        .catch((error: unknown) => {
          options.logger?.error({ err: error }, 'serving /metrics failed');
          response.writeHead(500).end();
        });
      return;
    }
    response.writeHead(404, { 'content-type': 'text/plain' }).end('not found: try /metrics or /healthz\n');
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host, () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  const host = options.host.includes(':') ? `[${options.host}]` : options.host;
  return {
    url: `http://${host}:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
