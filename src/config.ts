/**
 * Environment → typed config, parsed once, here. Every variable Ramp reads is listed in `configVariables`
 * (the README's table and the docker-compose test are checked against it).
 */
import { readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join, resolve } from 'node:path';
import { z } from 'zod';
import { isDuration, parseDurationMs } from './domain/durations.ts';
import {
  defaultLambdaBudgetPerSecond,
  type LambdaBudget,
  parseLambdaBudgets,
  parseTargetAccounts,
} from './domain/lambda-budget.ts';
import type { NotifyTarget } from './domain/notifications.ts';
import { notifyListSchema } from './domain/notify-spec.ts';
import { formatSpecProblems, problemsOf } from './domain/spec.ts';

const port = z.coerce.number().int().min(0).max(65535);
const optionalText = z
  .string()
  .optional()
  .transform((value) => (value === '' ? undefined : value));

/** A count that, when unset, leaves the Temporal SDK's own default in place. */
const optionalCount = optionalText.pipe(
  z
    .string()
    .regex(/^[1-9]\d*$/, 'a whole number of at least 1')
    .transform(Number)
    .optional(),
);

const configSchema = z.object({
  TEMPORAL_ADDRESS: z.string().default('127.0.0.1:7233'),
  TEMPORAL_NAMESPACE: z.string().default('default'),
  TEMPORAL_API_KEY: optionalText,
  TEMPORAL_TLS: z.enum(['true', 'false']).default('false'),
  RAMP_TASK_QUEUE: z.string().default('ramp-releases'),
  RAMP_DATA_DIR: z.string().default(join(homedir(), '.local', 'share', 'ramp')),
  RAMP_ARTIFACT_STORE: optionalText,
  RAMP_WORKFLOW_BUNDLE: optionalText,
  RAMP_API_HOST: optionalText,
  RAMP_API_PORT: port.default(8080),
  RAMP_API_TOKEN: optionalText,
  RAMP_API_TOKENS_FILE: optionalText,
  RAMP_API_PUBLIC_URL: optionalText,
  RAMP_API_URL: optionalText.pipe(z.url().optional()),
  RAMP_NOTIFY_FILE: optionalText,
  RAMP_NOTIFY_SECRET: optionalText,
  RAMP_API_RATE_LIMIT: z.coerce.number().int().min(0).default(1200),
  RAMP_SIM_PORT: port.default(4566),
  RAMP_SIM_QUOTAS: z.enum(['true', 'false']).default('false'),
  RAMP_LAMBDA_BUDGET: z.coerce.number().min(0).default(defaultLambdaBudgetPerSecond),
  RAMP_LAMBDA_BUDGET_REGIONS: optionalText,
  RAMP_TARGET_ACCOUNTS: optionalText,
  RAMP_WORKER_WATCH_SLOTS: z.coerce.number().int().min(1).default(2000),
  RAMP_WORKER_ACTIVITY_SLOTS: optionalCount,
  RAMP_WORKER_WORKFLOW_SLOTS: optionalCount,
  RAMP_WORKER_CACHED_WORKFLOWS: optionalCount,
  RAMP_SIM_METRIC_DELAY: z
    .string()
    .default('60s')
    .refine(isDuration, 'a duration such as 0s, 10s or 60s')
    .transform((value) => parseDurationMs(value)),
  RAMP_TEMPORAL_PORT: port.default(7233),
  RAMP_TEMPORAL_UI_PORT: port.default(8233),
  RAMP_WORKER_METRICS_PORT: z
    .union([z.literal('').transform(() => undefined), port], {
      error: 'a port number (0 for any free port), or unset for none',
    })
    .optional(),
  RAMP_WORKER_METRICS_HOST: z.string().default('127.0.0.1'),
  RAMP_WORKER_SHUTDOWN_GRACE: z
    .string()
    .default('30s')
    .refine(isDuration, 'a duration such as 10s, 30s or 2m')
    .transform((value) => parseDurationMs(value)),
  RAMP_LOG_LEVEL: z.enum(['debug', 'info', 'warn', 'error']).default('info'),
  AWS_REGION: z.string().default('us-east-1'),
  AWS_ENDPOINT_URL_LAMBDA: optionalText.pipe(z.url().optional()),
});

export const configVariables = Object.keys(configSchema.shape);

export interface RampConfig {
  temporal: {
    address: string;
    namespace: string;
    apiKey: string | undefined;
    tls: boolean;
    taskQueue: string;
  };
  dataDir: string;
  /** `file:///abs/dir` or `s3://bucket/prefix`; the local default lives in the data directory. */
  artifactStore: string;
  workflowBundlePath: string | undefined;
  api: {
    host: string | undefined;
    port: number;
    adminToken: string | undefined;
    tokensFile: string | undefined;
    publicUrl: string | undefined;
    /** Requests per token per minute; 0 turns the limit off. */
    rateLimitPerMinute: number;
  };
  notify: {
    /** Targets every release started through this API is told about (`RAMP_NOTIFY_FILE`), after its own. */
    defaultTargets: NotifyTarget[];
    /** The HMAC-SHA256 key deliveries are signed with; only the worker reads it, never a workflow. */
    secret: string | undefined;
  };
  /** Where the CLI finds the API: RAMP_API_URL, or the local API's port on loopback. */
  client: { apiUrl: string; token: string | undefined };
  localStack: {
    simPort: number;
    /** How long invocations take to reach the simulator's CloudWatch (AWS: about a minute). */
    simMetricDelayMs: number;
    /** The simulator enforces Lambda's control-plane quotas (15/s shared, GetFunction 100/s). */
    simQuotas: boolean;
    temporalPort: number;
    temporalUiPort: number;
  };
  /**
   * Lambda control-plane budgets (requests/s per account and region, every call but GetFunction); empty
   * when RAMP_LAMBDA_BUDGET is 0. Regions without one are not budgeted.
   */
  lambdaBudgets: LambdaBudget[];
  /**
   * The other AWS accounts this deployment releases into by `roleArn` (RAMP_TARGET_ACCOUNTS): every worker
   * polls their budgeted Lambda queues too. A role release into an account not listed runs unbudgeted.
   */
  targetAccounts: string[];
  /** Worker sizing (docs/scale.md); unset counts keep the Temporal SDK's defaults. */
  worker: WorkerSizing;
  /** How a worker process is watched and stopped (docs/operations.md). */
  workerProcess: WorkerProcess;
  /** The standard SDK setting; `ramp sim` control commands default to the simulator it points at. */
  lambdaEndpoint: string | undefined;
  logLevel: 'debug' | 'info' | 'warn' | 'error';
  region: string;
}

export interface WorkerSizing {
  /** Concurrent health monitors (I/O-idle, one per baking release) on the health-watch queue. */
  watchSlots: number;
  /** Concurrent short activities (Lambda calls, hooks) on the release queue. */
  activitySlots?: number;
  /** Concurrent workflow tasks. */
  workflowSlots?: number;
  /** Workflows kept in the worker's sticky cache (each a V8 context's worth of memory). */
  cachedWorkflows?: number;
}

export interface WorkerProcess {
  /** Where the worker serves /metrics and /healthz (`0`: any free port); undefined: not served. */
  metricsPort: number | undefined;
  metricsHost: string;
  /** How long a stopping worker lets running activities finish before it cancels them (they retry elsewhere). */
  shutdownGraceMs: number;
}

export class ConfigError extends Error {
  override name = 'ConfigError';
}

export function loadConfig(env: NodeJS.ProcessEnv = process.env): RampConfig {
  const parsed = configSchema.safeParse(env);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((issue) => `  ${issue.path.join('.')}: ${issue.message}`);
    throw new ConfigError(`Invalid configuration in the environment:\n${lines.join('\n')}`);
  }
  const c = parsed.data;
  const isBudgetOn = c.RAMP_LAMBDA_BUDGET > 0;
  const budgets = isBudgetOn
    ? parseLambdaBudgets(c.RAMP_LAMBDA_BUDGET_REGIONS ?? c.AWS_REGION, c.RAMP_LAMBDA_BUDGET)
    : { ok: true as const, budgets: [] as LambdaBudget[] };
  if (!budgets.ok)
    throw new ConfigError(
      `Invalid configuration in the environment:\n  RAMP_LAMBDA_BUDGET_REGIONS: ${budgets.problem}`,
    );
  const targetAccounts = parseTargetAccounts(c.RAMP_TARGET_ACCOUNTS ?? '');
  if (!targetAccounts.ok)
    throw new ConfigError(
      `Invalid configuration in the environment:\n  RAMP_TARGET_ACCOUNTS: ${targetAccounts.problem}`,
    );
  const dataDir = resolve(c.RAMP_DATA_DIR);
  return {
    temporal: {
      address: c.TEMPORAL_ADDRESS,
      namespace: c.TEMPORAL_NAMESPACE,
      apiKey: c.TEMPORAL_API_KEY,
      tls: c.TEMPORAL_TLS === 'true' || c.TEMPORAL_API_KEY !== undefined,
      taskQueue: c.RAMP_TASK_QUEUE,
    },
    dataDir,
    artifactStore: c.RAMP_ARTIFACT_STORE ?? `file://${join(dataDir, 'artifacts')}`,
    workflowBundlePath: c.RAMP_WORKFLOW_BUNDLE,
    api: {
      host: c.RAMP_API_HOST,
      port: c.RAMP_API_PORT,
      adminToken: c.RAMP_API_TOKEN,
      tokensFile: c.RAMP_API_TOKENS_FILE,
      publicUrl: c.RAMP_API_PUBLIC_URL,
      rateLimitPerMinute: c.RAMP_API_RATE_LIMIT,
    },
    notify: { defaultTargets: readNotifyFile(c.RAMP_NOTIFY_FILE), secret: c.RAMP_NOTIFY_SECRET },
    client: { apiUrl: c.RAMP_API_URL ?? `http://127.0.0.1:${c.RAMP_API_PORT}`, token: c.RAMP_API_TOKEN },
    localStack: {
      simPort: c.RAMP_SIM_PORT,
      simMetricDelayMs: c.RAMP_SIM_METRIC_DELAY,
      simQuotas: c.RAMP_SIM_QUOTAS === 'true',
      temporalPort: c.RAMP_TEMPORAL_PORT,
      temporalUiPort: c.RAMP_TEMPORAL_UI_PORT,
    },
    lambdaBudgets: budgets.budgets,
    targetAccounts: targetAccounts.accounts,
    worker: {
      watchSlots: c.RAMP_WORKER_WATCH_SLOTS,
      ...(c.RAMP_WORKER_ACTIVITY_SLOTS ? { activitySlots: c.RAMP_WORKER_ACTIVITY_SLOTS } : {}),
      ...(c.RAMP_WORKER_WORKFLOW_SLOTS ? { workflowSlots: c.RAMP_WORKER_WORKFLOW_SLOTS } : {}),
      ...(c.RAMP_WORKER_CACHED_WORKFLOWS ? { cachedWorkflows: c.RAMP_WORKER_CACHED_WORKFLOWS } : {}),
    },
    workerProcess: {
      metricsPort: c.RAMP_WORKER_METRICS_PORT,
      metricsHost: c.RAMP_WORKER_METRICS_HOST,
      shutdownGraceMs: c.RAMP_WORKER_SHUTDOWN_GRACE,
    },
    lambdaEndpoint: c.AWS_ENDPOINT_URL_LAMBDA,
    logLevel: c.RAMP_LOG_LEVEL,
    region: c.AWS_REGION,
  };
}

/** `RAMP_NOTIFY_FILE`: a JSON array of targets, the shape of a release spec's `notify`. */
function readNotifyFile(path: string | undefined): NotifyTarget[] {
  if (!path) return [];
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    throw new ConfigError(`RAMP_NOTIFY_FILE: cannot read ${path}: ${(error as Error).message}`);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new ConfigError(`RAMP_NOTIFY_FILE: ${path} is not JSON: ${(error as Error).message}`);
  }
  const parsed = notifyListSchema.safeParse(json);
  if (!parsed.success) {
    throw new ConfigError(
      `RAMP_NOTIFY_FILE: ${path}: ${formatSpecProblems(problemsOf(parsed.error.issues))} (expected [{ "webhook": "https://…", "events"?: [...], "format"?: "json" | "slack" }])`,
    );
  }
  return parsed.data.map((target) => ({
    webhook: target.webhook,
    format: target.format,
    ...(target.events ? { events: target.events } : {}),
  }));
}
