import type { FastifyInstance } from 'fastify';
import { type AuthConfig, loadAuthConfig } from '../../src/api/auth.ts';
import { type ApiDeps, type AuditEntry, createApiServer } from '../../src/api/server.ts';
import type { HealthGate } from '../../src/health/health-gate.ts';
import { defaultMetricDelayMs } from '../../src/sim/index.ts';
import { type ReleaseStack, withReleaseStack } from './release-stack.ts';

export interface ApiStack {
  stack: ReleaseStack;
  app: FastifyInstance;
  audit: AuditEntry[];
  /** How many times the API asked Temporal to start a release. */
  startCalls(): number;
  call(
    method: 'GET' | 'POST' | 'PUT' | 'DELETE' | 'PATCH',
    url: string,
    options?: { token?: string; body?: unknown; rawBody?: string; headers?: Record<string, string> },
  ): Promise<{
    status: number;
    headers: Record<string, string | string[] | number | undefined>;
    json: Record<string, unknown> & {
      error?: { type: string; message: string; problems?: { field: string; message: string }[] };
    };
  }>;
}

/** The real API in front of the real release stack (dev server, worker, simulator), driven over HTTP by inject. */
export async function withApiStack<T>(
  options: {
    auth?: AuthConfig;
    healthGate?: HealthGate | 'cloudwatch';
    rateLimit?: ApiDeps['rateLimit'];
    metricDelayMs?: number;
    lambdaBudgetPerSecond?: number;
  },
  body: (api: ApiStack) => Promise<T>,
): Promise<T> {
  const stackOptions = {
    ...(options.healthGate ? { healthGate: options.healthGate } : {}),
    // The API tests judge no metrics, so the simulator keeps AWS's delay unless a test needs speed.
    metricDelayMs: options.metricDelayMs ?? defaultMetricDelayMs,
    ...(options.lambdaBudgetPerSecond ? { lambdaBudgetPerSecond: options.lambdaBudgetPerSecond } : {}),
  };
  return withReleaseStack(stackOptions, async (stack) => {
    const audit: AuditEntry[] = [];
    let starts = 0;
    const app = await createApiServer({
      releases: {
        ...stack.releases,
        start: (...args) => {
          starts++;
          return stack.releases.start(...args);
        },
      },
      trains: stack.trains,
      auth: options.auth ?? loadAuthConfig({}),
      isReady: async () => true,
      audit: (entry) => audit.push(entry),
      eventPollMs: 100,
      ...(options.rateLimit ? { rateLimit: options.rateLimit } : {}),
    });
    try {
      return await body({
        stack,
        app,
        audit,
        startCalls: () => starts,
        async call(method, url, callOptions = {}) {
          const hasBody = callOptions.body !== undefined || callOptions.rawBody !== undefined;
          const response = await app.inject({
            method,
            url,
            headers: {
              ...(hasBody ? { 'content-type': 'application/json' } : {}),
              ...(callOptions.token ? { authorization: `Bearer ${callOptions.token}` } : {}),
              ...callOptions.headers,
            },
            ...(callOptions.rawBody !== undefined
              ? { payload: callOptions.rawBody }
              : callOptions.body !== undefined
                ? { payload: JSON.stringify(callOptions.body) }
                : {}),
          });
          let json = {};
          try {
            json = response.json();
          } catch {
            // Not JSON: the assertion on `json` will say so.
          }
          return { status: response.statusCode, headers: response.headers, json };
        },
      });
    } finally {
      await app.close();
    }
  });
}
