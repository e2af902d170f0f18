/**
 * Environment → typed config, parsed once, here. Every variable Ramp reads is listed in `configVariables`
 * (the README's table and the docker-compose test are checked against it).
 */
import { createPrivateKey, X509Certificate } from 'node:crypto';
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
import { keyBytes, type PayloadKeys } from './temporal/payload-codec.ts';

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
  TEMPORAL_TLS: z.enum(['true', 'false']).optional(),
  TEMPORAL_TLS_CERT: optionalText,
  TEMPORAL_TLS_KEY: optionalText,
  TEMPORAL_TLS_CA: optionalText,
  TEMPORAL_TLS_SERVER_NAME: optionalText,
  TEMPORAL_CONNECT_TIMEOUT: z
    .string()
    .default('10s')
    .refine(isDuration, 'a duration such as 5s or 10s')
    .transform((value) => parseDurationMs(value))
    .refine((ms) => ms > 0, 'more than 0s'),
  RAMP_PAYLOAD_KEYS: optionalText,
  RAMP_PAYLOAD_KEYS_FILE: optionalText,
  RAMP_PAYLOAD_KEY_ID: optionalText,
  RAMP_CODEC_CORS_ORIGINS: optionalText,
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
    /** Off, or on with the CA, client certificate pair and server name the files and variables give (mTLS). */
    tls: TemporalTls | false;
    /** How long a connection may take before the process gives up with a message naming the settings. */
    connectTimeoutMs: number;
    /** Payload encryption keys (RAMP_PAYLOAD_KEYS); undefined: payloads are stored as plain JSON. */
    payloadKeys: PayloadKeys | undefined;
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
    /** Browser origins (the Temporal UI's) allowed to call `/codec/*` across origins (RAMP_CODEC_CORS_ORIGINS). */
    codecCorsOrigins: string[];
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

/** TLS to the Temporal frontend, from TEMPORAL_TLS_CA, TEMPORAL_TLS_CERT / TEMPORAL_TLS_KEY and TEMPORAL_TLS_SERVER_NAME. */
export interface TemporalTls {
  /** PEM; unset: the system's trusted roots (Temporal Cloud). */
  serverRootCACertificate?: Buffer;
  /** PEM certificate and key this process presents (mTLS). */
  clientCertPair?: { crt: Buffer; key: Buffer };
  /** The name the server's certificate is checked against, instead of TEMPORAL_ADDRESS's host. */
  serverNameOverride?: string;
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
      tls: temporalTlsOf(c),
      connectTimeoutMs: c.TEMPORAL_CONNECT_TIMEOUT,
      payloadKeys: payloadKeysOf(c),
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
      codecCorsOrigins: corsOriginsOf(c.RAMP_CODEC_CORS_ORIGINS),
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

type ParsedEnv = z.output<typeof configSchema>;

function configProblem(variable: string, problem: string): ConfigError {
  return new ConfigError(`Invalid configuration in the environment:\n  ${variable}: ${problem}`);
}

/** A PEM file named by a variable, read and parsed now, so a bad path or file stops the process at start. */
function readPem(variable: string, path: string, kind: 'certificate' | 'key'): Buffer {
  let pem: Buffer;
  try {
    pem = readFileSync(path);
  } catch (error) {
    throw configProblem(variable, `cannot read ${path}: ${(error as Error).message}`);
  }
  const label = kind === 'key' ? 'PRIVATE KEY' : 'CERTIFICATE';
  try {
    if (!pem.toString('utf8').includes('-----BEGIN ')) throw new Error('no PEM block (-----BEGIN …)');
    if (kind === 'key') createPrivateKey(pem);
    else new X509Certificate(pem);
  } catch (error) {
    throw configProblem(variable, `${path} is not a PEM ${label}: ${(error as Error).message}`);
  }
  return pem;
}

function temporalTlsOf(c: ParsedEnv): TemporalTls | false {
  const { TEMPORAL_TLS_CERT: certPath, TEMPORAL_TLS_KEY: keyPath, TEMPORAL_TLS_CA: caPath } = c;
  const serverName = c.TEMPORAL_TLS_SERVER_NAME;
  if ((certPath === undefined) !== (keyPath === undefined)) {
    const [given, missing] = certPath
      ? ['TEMPORAL_TLS_CERT', 'TEMPORAL_TLS_KEY']
      : ['TEMPORAL_TLS_KEY', 'TEMPORAL_TLS_CERT'];
    throw configProblem(
      missing,
      `${given} is set but ${missing} is not: mTLS needs both TEMPORAL_TLS_CERT and TEMPORAL_TLS_KEY (PEM files)`,
    );
  }
  const hasTlsSettings = certPath !== undefined || caPath !== undefined || serverName !== undefined;
  if (c.TEMPORAL_TLS === 'false' && hasTlsSettings) {
    throw configProblem(
      'TEMPORAL_TLS',
      'false, but TEMPORAL_TLS_CERT, TEMPORAL_TLS_CA or TEMPORAL_TLS_SERVER_NAME is set; unset TEMPORAL_TLS (they turn TLS on) or them',
    );
  }
  if (c.TEMPORAL_TLS !== 'true' && c.TEMPORAL_API_KEY === undefined && !hasTlsSettings) return false;
  const tls: TemporalTls = {};
  if (caPath !== undefined) tls.serverRootCACertificate = readPem('TEMPORAL_TLS_CA', caPath, 'certificate');
  if (certPath !== undefined && keyPath !== undefined) {
    const crt = readPem('TEMPORAL_TLS_CERT', certPath, 'certificate');
    const key = readPem('TEMPORAL_TLS_KEY', keyPath, 'key');
    if (!new X509Certificate(crt).checkPrivateKey(createPrivateKey(key))) {
      throw configProblem(
        'TEMPORAL_TLS_KEY',
        `${keyPath} is not the private key of the certificate in TEMPORAL_TLS_CERT (${certPath})`,
      );
    }
    tls.clientCertPair = { crt, key };
  }
  if (serverName !== undefined) tls.serverNameOverride = serverName;
  return tls;
}

const keyIdPattern = /^[A-Za-z0-9._-]{1,64}$/;
const base64Pattern = /^[A-Za-z0-9+/]+={0,2}$/;

/** `id=base64,id2=base64` (commas or newlines between entries, `#` comment lines): each key 32 bytes for AES-256. */
function parsePayloadKeys(text: string, source: string): Map<string, Buffer> {
  const keys = new Map<string, Buffer>();
  const entries = text
    .split('\n')
    .filter((line) => !line.trim().startsWith('#'))
    .flatMap((line) => line.split(','))
    .map((part) => part.trim());
  for (const entry of entries) {
    if (entry === '') continue;
    const separator = entry.indexOf('=');
    const id = separator > 0 ? entry.slice(0, separator).trim() : '';
    const encoded = separator > 0 ? entry.slice(separator + 1).trim() : '';
    if (!keyIdPattern.test(id) || encoded === '') {
      throw configProblem(
        source,
        'expected entries "<key id>=<base64 of 32 bytes>" separated by commas or newlines (key ids: letters, digits, . _ -)',
      );
    }
    if (keys.has(id)) throw configProblem(source, `key id "${id}" is given twice`);
    const key = Buffer.from(encoded, 'base64');
    if (!base64Pattern.test(encoded) || key.length !== keyBytes) {
      throw configProblem(
        source,
        `key "${id}" is ${base64Pattern.test(encoded) ? `${key.length} bytes` : 'not base64'}; AES-256 needs ${keyBytes} bytes, base64-encoded (openssl rand -base64 32)`,
      );
    }
    keys.set(id, key);
  }
  return keys;
}

function payloadKeysOf(c: ParsedEnv): PayloadKeys | undefined {
  if (c.RAMP_PAYLOAD_KEYS !== undefined && c.RAMP_PAYLOAD_KEYS_FILE !== undefined) {
    throw configProblem(
      'RAMP_PAYLOAD_KEYS_FILE',
      'set either RAMP_PAYLOAD_KEYS or RAMP_PAYLOAD_KEYS_FILE, not both',
    );
  }
  let keys: Map<string, Buffer> | undefined;
  if (c.RAMP_PAYLOAD_KEYS !== undefined) keys = parsePayloadKeys(c.RAMP_PAYLOAD_KEYS, 'RAMP_PAYLOAD_KEYS');
  const path = c.RAMP_PAYLOAD_KEYS_FILE;
  if (path !== undefined) {
    let text: string;
    try {
      text = readFileSync(path, 'utf8');
    } catch (error) {
      throw configProblem('RAMP_PAYLOAD_KEYS_FILE', `cannot read ${path}: ${(error as Error).message}`);
    }
    keys = parsePayloadKeys(text, `RAMP_PAYLOAD_KEYS_FILE (${path})`);
  }
  const activeKeyId = c.RAMP_PAYLOAD_KEY_ID;
  if (keys === undefined) {
    if (activeKeyId !== undefined)
      throw configProblem(
        'RAMP_PAYLOAD_KEY_ID',
        'set, but no keys are given in RAMP_PAYLOAD_KEYS or RAMP_PAYLOAD_KEYS_FILE',
      );
    return undefined;
  }
  if (keys.size === 0)
    throw configProblem(
      c.RAMP_PAYLOAD_KEYS_FILE ? 'RAMP_PAYLOAD_KEYS_FILE' : 'RAMP_PAYLOAD_KEYS',
      'holds no key',
    );
  if (activeKeyId === undefined) {
    const [only] = keys.keys();
    if (keys.size === 1 && only !== undefined) return { activeKeyId: only, keys };
    throw configProblem(
      'RAMP_PAYLOAD_KEY_ID',
      `unset, and there are ${keys.size} keys (${[...keys.keys()].join(', ')}): name the one that encrypts`,
    );
  }
  if (!keys.has(activeKeyId)) {
    throw configProblem(
      'RAMP_PAYLOAD_KEY_ID',
      `"${activeKeyId}" is not among the payload keys (${[...keys.keys()].join(', ')})`,
    );
  }
  return { activeKeyId, keys };
}

function corsOriginsOf(text: string | undefined): string[] {
  if (text === undefined) return [];
  return text
    .split(',')
    .map((origin) => origin.trim())
    .filter((origin) => origin !== '')
    .map((origin) => {
      let url: URL;
      try {
        url = new URL(origin);
      } catch {
        throw configProblem(
          'RAMP_CODEC_CORS_ORIGINS',
          `${origin} is not an origin such as https://temporal.example.com`,
        );
      }
      if (url.origin !== origin.replace(/\/$/, ''))
        throw configProblem(
          'RAMP_CODEC_CORS_ORIGINS',
          `${origin} is not an origin (scheme, host and port only): ${url.origin}`,
        );
      return url.origin;
    });
}
