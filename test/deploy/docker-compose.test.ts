import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { describe, test } from 'node:test';
import { parse } from 'yaml';
import { buildProgram } from '../../src/cli/program.ts';
import { configVariables, loadConfig } from '../../src/config.ts';
import { parseDurationMs } from '../../src/domain/durations.ts';
import { shutdownForceMarginMs } from '../../src/worker.ts';

// No Docker engine runs here, so the production-shaped stack is checked by reading it: every image pinned,
// every dependency healthy before its dependants start, every variable one that Ramp actually reads.
const root = new URL('../../', import.meta.url).pathname;
const compose = parse(readFileSync(`${root}docker-compose.yml`, 'utf8'), { merge: true }) as {
  services: Record<
    string,
    {
      image?: string;
      build?: string;
      command?: string[];
      environment?: Record<string, string>;
      depends_on?: Record<string, { condition: string }>;
      healthcheck?: { test: string[] };
      ports?: string[];
      expose?: string[];
      stop_grace_period?: string;
    }
  >;
};
const dockerfile = readFileSync(`${root}Dockerfile`, 'utf8');
const awsVariables = ['AWS_REGION', 'AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY', 'AWS_SESSION_TOKEN'];

describe('docker-compose.yml', () => {
  test('runs Temporal on PostgreSQL, the Temporal UI, a Ramp worker and the Ramp API', () => {
    assert.deepEqual(Object.keys(compose.services).sort(), [
      'postgresql',
      'ramp-api',
      'ramp-worker',
      'temporal',
      'temporal-ui',
    ]);
    assert.equal(compose.services.temporal?.environment?.DB, 'postgres12');
  });

  test('pins every image to a version', () => {
    for (const [name, service] of Object.entries(compose.services)) {
      if (service.build) continue;
      assert.match(service.image ?? '', /:[0-9][\w.-]*$/, `${name} pins its image`);
    }
  });

  test('starts each service only after the services it depends on are healthy, and each has a healthcheck', () => {
    for (const [name, service] of Object.entries(compose.services)) {
      assert.ok(service.healthcheck || name === 'temporal-ui', `${name} has a healthcheck`);
      for (const [dependency, { condition }] of Object.entries(service.depends_on ?? {})) {
        assert.ok(compose.services[dependency], `${name} depends on an existing service ${dependency}`);
        if (condition === 'service_healthy') assert.ok(compose.services[dependency]?.healthcheck);
      }
    }
  });

  test("gives Ramp's services only environment variables that Ramp reads", () => {
    for (const name of ['ramp-worker', 'ramp-api']) {
      for (const variable of Object.keys(compose.services[name]?.environment ?? {})) {
        assert.ok(
          configVariables.includes(variable) || awsVariables.includes(variable),
          `${name}: ${variable} is read by src/config.ts`,
        );
      }
    }
  });

  test('each Ramp service’s environment, with nothing set on the host (every variable at its default), is a valid configuration', () => {
    for (const name of ['ramp-worker', 'ramp-api']) {
      const environment = Object.fromEntries(
        Object.entries(compose.services[name]?.environment ?? {}).map(([variable, value]) => [
          variable,
          String(value).replace(/\$\{\w+:-([^}]*)\}/g, '$1'),
        ]),
      );
      assert.doesNotThrow(() => loadConfig(environment), name);
    }
  });

  test("runs Ramp commands that the CLI has, and exposes the API's port", () => {
    const commands = buildProgram().commands.map((command) => command.name());
    for (const name of ['ramp-worker', 'ramp-api']) {
      const [command] = compose.services[name]?.command ?? [];
      assert.ok(command && commands.includes(command), `${name} runs \`ramp ${command}\``);
    }
    assert.deepEqual(compose.services['ramp-api']?.ports, ['8080:8080']);
    assert.equal(compose.services['ramp-api']?.environment?.RAMP_API_PORT, '8080');
  });

  test('the worker serves /metrics and /healthz on RAMP_WORKER_METRICS_PORT, is health-checked there, and is given time to drain', () => {
    const worker = compose.services['ramp-worker'];
    const port = worker?.environment?.RAMP_WORKER_METRICS_PORT;
    assert.ok(port, 'the worker serves metrics');
    assert.equal(worker?.environment?.RAMP_WORKER_METRICS_HOST, '0.0.0.0', 'reachable from other containers');
    assert.deepEqual(worker?.expose, [port]);
    assert.match(worker?.healthcheck?.test.join(' ') ?? '', new RegExp(`127\\.0\\.0\\.1:${port}/healthz`));
    // Docker SIGKILLs a container stop_grace_period after SIGTERM: it must outlast the worker's own bound.
    const config = loadConfig({
      RAMP_WORKER_SHUTDOWN_GRACE: worker?.environment?.RAMP_WORKER_SHUTDOWN_GRACE,
    });
    const stopGraceMs = parseDurationMs(worker?.stop_grace_period ?? '10s');
    assert.ok(
      stopGraceMs > config.workerProcess.shutdownGraceMs + shutdownForceMarginMs,
      `stop_grace_period ${worker?.stop_grace_period} outlasts RAMP_WORKER_SHUTDOWN_GRACE plus the force margin`,
    );
    assert.equal(compose.services['ramp-api']?.environment?.RAMP_WORKER_METRICS_PORT, undefined);
  });
});

describe('Dockerfile', () => {
  test('copies paths that exist and builds the workflow bundle with the real script', () => {
    for (const match of dockerfile.matchAll(/^COPY (.+) \S+$/gm)) {
      for (const source of (match[1] ?? '').split(/\s+/))
        assert.ok(existsSync(`${root}${source}`), `${source} exists`);
    }
    const script = /RUN npx tsx (scripts\/\S+)/.exec(dockerfile)?.[1];
    assert.ok(script && existsSync(`${root}${script}`), 'the bundle script exists');
    assert.match(dockerfile, /RAMP_WORKFLOW_BUNDLE=\/app\/dist\/workflow-bundle\.js/);
    assert.ok(configVariables.includes('RAMP_WORKFLOW_BUNDLE'));
  });
});
