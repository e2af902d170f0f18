/**
 * Ramp's production topology, described once: what each Ramp service runs and with which environment.
 * docker-compose.yml ships it (test/deploy/topology.test.ts checks that its Ramp services' commands and
 * environment are this, rendered for compose), and `npm run stack:prod` / `npm run test:prod` start their
 * processes from it (deploy/prod-stack.ts), so the tested topology is the shipped one.
 *
 * A variable's value is one of three kinds:
 * - `fixed`: the same string everywhere;
 * - `operator`: the operator's choice with a default; compose writes `${NAME:-default}`, and the stack
 *   takes the same variable from its own environment the same way;
 * - `site`: where things are, which differs by construction between containers (service names, `0.0.0.0`,
 *   fixed ports, mounted secrets) and processes on one machine (loopback, free ports, files).
 * On this machine AWS is the simulator: `awsStandIn` adds its endpoint and credentials, and nothing else.
 */

/** The Temporal server image and binary (src/temporal/temporal-server-binaries.ts builds the same version). */
export const temporalServerImage = 'temporalio/auto-setup:1.29.1';
/** PostgreSQL's major version: compose's image, and Debian's package the stack runs. */
export const postgresMajor = 15;
/** How the Temporal server reaches PostgreSQL, in compose (`POSTGRES_USER`, `POSTGRES_PWD`, `DB`) and here. */
export const temporalDatabase = {
  plugin: 'postgres12',
  user: 'temporal',
  password: 'temporal',
  databases: { persistence: 'temporal', visibility: 'temporal_visibility' },
} as const;

export interface Site {
  temporalAddress: string;
  /** The built workflow bundle the image's ENV names. */
  workflowBundle: string;
  apiHost: string;
  apiPort: string;
  apiTokensFile: string;
  workerMetricsHost: string;
  /** Per replica: containers each have their own network, processes on one machine do not. */
  workerMetricsPort: (replica: number) => string;
}

export type EnvValue =
  | { kind: 'fixed'; value: string }
  | { kind: 'operator'; default: string }
  | { kind: 'site'; of: (site: Site, replica: number) => string };

const fixed = (value: string): EnvValue => ({ kind: 'fixed', value });
const operator = (value: string): EnvValue => ({ kind: 'operator', default: value });
const site = (of: (site: Site, replica: number) => string): EnvValue => ({ kind: 'site', of });

export interface RampService {
  /** The arguments after the image's entrypoint (`ramp <command>`). */
  command: string[];
  replicas: number;
  environment: Record<string, EnvValue>;
}

/** The environment every Ramp service shares (compose's `x-ramp-env`). */
const shared: Record<string, EnvValue> = {
  TEMPORAL_ADDRESS: site((s) => s.temporalAddress),
  TEMPORAL_NAMESPACE: fixed('default'),
  RAMP_TASK_QUEUE: fixed('ramp-releases'),
  RAMP_ARTIFACT_STORE: operator('s3://ramp-artifacts/packages/'),
  AWS_REGION: operator('us-east-1'),
  AWS_ACCESS_KEY_ID: operator(''),
  AWS_SECRET_ACCESS_KEY: operator(''),
  AWS_SESSION_TOKEN: operator(''),
  RAMP_LOG_LEVEL: fixed('info'),
  RAMP_LAMBDA_BUDGET: operator('7.5'),
  RAMP_LAMBDA_BUDGET_REGIONS: operator(''),
  RAMP_TARGET_ACCOUNTS: operator(''),
  // mTLS to Temporal and payload encryption (docs/operations.md): empty, plaintext.
  TEMPORAL_TLS_CA: operator(''),
  TEMPORAL_TLS_CERT: operator(''),
  TEMPORAL_TLS_KEY: operator(''),
  TEMPORAL_TLS_SERVER_NAME: operator(''),
  TEMPORAL_CONNECT_TIMEOUT: operator('10s'),
  RAMP_PAYLOAD_KEYS_FILE: operator(''),
  RAMP_PAYLOAD_KEY_ID: operator(''),
};

export const image = {
  entrypoint: ['node', 'bin/ramp.mjs'],
  /** The Dockerfile's ENV: workers load the pre-built workflow bundle. */
  environment: {
    NODE_ENV: fixed('production'),
    RAMP_WORKFLOW_BUNDLE: site((s) => s.workflowBundle),
  } satisfies Record<string, EnvValue>,
};

export const rampServices = {
  'ramp-worker': {
    command: ['worker'],
    // At least two, so one can die or drain while the other carries on (docs/operations.md).
    replicas: 2,
    environment: {
      ...shared,
      RAMP_WORKER_WATCH_SLOTS: operator('2000'),
      RAMP_WORKER_METRICS_HOST: site((s) => s.workerMetricsHost),
      RAMP_WORKER_METRICS_PORT: site((s, replica) => s.workerMetricsPort(replica)),
      RAMP_WORKER_SHUTDOWN_GRACE: fixed('30s'),
    },
  },
  'ramp-api': {
    command: ['api'],
    replicas: 1,
    environment: {
      ...shared,
      RAMP_API_HOST: site((s) => s.apiHost),
      RAMP_API_PORT: site((s) => s.apiPort),
      RAMP_API_TOKENS_FILE: site((s) => s.apiTokensFile),
      RAMP_CODEC_CORS_ORIGINS: operator('http://localhost:8233'),
    },
  },
} satisfies Record<string, RampService>;

export type RampServiceName = keyof typeof rampServices;

/** Where things are in docker-compose.yml. */
export const composeSite: Site = {
  temporalAddress: 'temporal:7233',
  workflowBundle: '/app/dist/workflow-bundle.js',
  apiHost: '0.0.0.0',
  apiPort: '8080',
  apiTokensFile: '/run/secrets/ramp-api-tokens',
  workerMetricsHost: '0.0.0.0',
  workerMetricsPort: () => '9464',
};

function render(
  environment: Record<string, EnvValue>,
  siteOf: Site,
  replica: number,
  operatorValue: (name: string, defaultValue: string) => string,
): Record<string, string> {
  const rendered = (name: string, value: EnvValue): string =>
    value.kind === 'fixed'
      ? value.value
      : value.kind === 'operator'
        ? operatorValue(name, value.default)
        : value.of(siteOf, replica);
  return Object.fromEntries(
    Object.entries(environment).map(([name, value]) => [name, rendered(name, value)]),
  );
}

/** A service's environment as docker-compose.yml writes it: operator values as `${NAME:-default}`. */
export function composeEnvironment(
  environment: Record<string, EnvValue>,
  siteOf: Site = composeSite,
): Record<string, string> {
  return render(environment, siteOf, 0, (name, defaultValue) => `\${${name}:-${defaultValue}}`);
}

/**
 * A service's environment as a process on this machine gets it: operator values as compose interpolates
 * `${NAME:-default}` from the operator's environment (unset or empty: the default), then the AWS stand-in.
 */
export function processEnvironment(
  environment: Record<string, EnvValue>,
  siteOf: Site,
  replica: number,
  operatorEnv: NodeJS.ProcessEnv,
  standIn: Record<string, string> = {},
): Record<string, string> {
  return {
    ...render(environment, siteOf, replica, (name, defaultValue) => operatorEnv[name] || defaultValue),
    ...standIn,
  };
}

/**
 * The simulator standing in for AWS: the SDK's standard endpoint setting and the simulator's credentials.
 * Only `AWS_*` variables: everything Ramp itself reads stays as shipped.
 */
export function awsStandIn(endpoint: string, credentials: { accessKeyId: string; secretAccessKey: string }) {
  return {
    AWS_ENDPOINT_URL: endpoint,
    AWS_ACCESS_KEY_ID: credentials.accessKeyId,
    AWS_SECRET_ACCESS_KEY: credentials.secretAccessKey,
    AWS_SESSION_TOKEN: '',
  };
}
