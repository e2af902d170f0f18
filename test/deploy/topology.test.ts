import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, test } from 'node:test';
import { parse } from 'yaml';
import {
  awsStandIn,
  composeEnvironment,
  composeSite,
  type EnvValue,
  image,
  postgresMajor,
  processEnvironment,
  rampServices,
  type Site,
  temporalDatabase,
  temporalServerImage,
} from '../../deploy/topology.ts';
import { configVariables } from '../../src/config.ts';
import { rampServerDynamicConfig } from '../../src/temporal/server-dynamic-config.ts';
import { temporalServerVersion } from '../../src/temporal/temporal-server-binaries.ts';

// docker-compose.yml ships the topology that `npm run stack:prod` and `npm run test:prod` run here: these
// tests hold the two to one description, deploy/topology.ts.
const root = new URL('../../', import.meta.url).pathname;
const compose = parse(readFileSync(`${root}docker-compose.yml`, 'utf8'), { merge: true }) as {
  services: Record<
    string,
    {
      image?: string;
      command?: string[];
      environment?: Record<string, string>;
      volumes?: string[];
      deploy?: { replicas?: number };
    }
  >;
};
const dockerfile = readFileSync(`${root}Dockerfile`, 'utf8');

const localSite: Site = {
  temporalAddress: '127.0.0.1:40001',
  workflowBundle: '/tmp/stack/workflow-bundle.js',
  apiHost: '127.0.0.1',
  apiPort: '40002',
  apiTokensFile: '/tmp/stack/ramp-api-tokens.json',
  workerMetricsHost: '127.0.0.1',
  workerMetricsPort: (replica) => String(40010 + replica),
};

describe('the production topology (deploy/topology.ts)', () => {
  for (const [name, service] of Object.entries(rampServices)) {
    test(`docker-compose.yml's ${name} runs the topology's command with its environment, as many replicas`, () => {
      const shipped = compose.services[name];
      assert.ok(shipped, `compose has ${name}`);
      assert.deepEqual(shipped.command, service.command);
      assert.deepEqual(shipped.environment, composeEnvironment(service.environment));
      assert.equal(shipped.deploy?.replicas ?? 1, service.replicas);
    });
  }

  test("the Dockerfile's entrypoint and ENV are the topology's image", () => {
    const entrypoint = /^ENTRYPOINT (\[.*\])$/m.exec(dockerfile)?.[1];
    assert.deepEqual(JSON.parse(entrypoint ?? 'null'), image.entrypoint);
    const envBlock = /^ENV ((?:.*\\\n)*.*)$/m.exec(dockerfile)?.[1] ?? '';
    const env = Object.fromEntries(
      [...envBlock.matchAll(/([A-Z_]+)=(\S+)/g)].map((match) => [match[1], match[2]]),
    );
    assert.deepEqual(env, composeEnvironment(image.environment));
  });

  test("compose's Temporal server and PostgreSQL are the versions the stack runs, on the same database settings", () => {
    assert.equal(compose.services.temporal?.image, temporalServerImage);
    assert.equal(`v${temporalServerImage.split(':')[1]}`, temporalServerVersion);
    assert.match(compose.services.postgresql?.image ?? '', new RegExp(`^postgres:${postgresMajor}\\.\\d+-`));
    const temporal = compose.services.temporal?.environment ?? {};
    assert.equal(temporal.DB, temporalDatabase.plugin);
    assert.equal(temporal.POSTGRES_USER, temporalDatabase.user);
    assert.equal(temporal.POSTGRES_PWD, temporalDatabase.password);
    const postgres = compose.services.postgresql?.environment ?? {};
    assert.equal(postgres.POSTGRES_USER, temporalDatabase.user);
    assert.equal(postgres.POSTGRES_PASSWORD, temporalDatabase.password);
  });

  test("compose's Temporal server gets the settings Ramp relies on, as every server Ramp starts does", () => {
    const file = parse(readFileSync(`${root}deploy/temporal-dynamic-config.yaml`, 'utf8')) as Record<
      string,
      { value: unknown }[]
    >;
    assert.deepEqual(
      Object.fromEntries(Object.entries(file).map(([key, values]) => [key, values[0]?.value])),
      rampServerDynamicConfig,
    );
    const temporal = compose.services.temporal;
    const mounted = `/etc/temporal/${temporal?.environment?.DYNAMIC_CONFIG_FILE_PATH}`;
    assert.ok(
      temporal?.volumes?.includes(`./deploy/temporal-dynamic-config.yaml:${mounted}:ro`),
      `compose mounts the file where DYNAMIC_CONFIG_FILE_PATH points (${mounted}): ${temporal?.volumes}`,
    );
  });

  test('on this machine a process gets every variable compose gives its service, differing only where things are and in the AWS stand-in', () => {
    const standIn = awsStandIn('http://127.0.0.1:40003', { accessKeyId: 'test', secretAccessKey: 'test' });
    for (const [name, service] of Object.entries(rampServices)) {
      const shipped = composeEnvironment(service.environment);
      const local = processEnvironment(service.environment, localSite, 1, {}, standIn);
      for (const variable of Object.keys(shipped)) assert.ok(variable in local, `${name}: ${variable}`);
      for (const [variable, value] of Object.entries(local)) {
        const kind = (service.environment as Record<string, EnvValue>)[variable]?.kind;
        if (variable.startsWith('AWS_') && variable in standIn) continue;
        if (kind === 'site') continue;
        if (kind === 'fixed') assert.equal(value, shipped[variable], `${name}: ${variable} is fixed`);
        if (kind === 'operator')
          assert.equal(`\${${variable}:-${value}}`, shipped[variable], `${name}: ${variable} defaults alike`);
      }
      // The stand-in touches AWS's own settings only, never one Ramp reads itself.
      for (const variable of Object.keys(standIn))
        assert.ok(!configVariables.includes(variable), `${variable} is the SDK's, not Ramp's`);
    }
  });

  test("operator variables are taken from the operator's environment as compose interpolates them", () => {
    const worker = rampServices['ramp-worker'].environment;
    const fromShell = processEnvironment(worker, localSite, 0, {
      RAMP_LAMBDA_BUDGET: '3',
      RAMP_TARGET_ACCOUNTS: '',
    });
    assert.equal(fromShell.RAMP_LAMBDA_BUDGET, '3');
    assert.equal(fromShell.RAMP_TARGET_ACCOUNTS, '', 'empty: the default, as compose interpolates :-');
    assert.equal(fromShell.RAMP_ARTIFACT_STORE, 's3://ramp-artifacts/packages/');
    assert.equal(fromShell.RAMP_WORKER_METRICS_PORT, '40010');
    assert.equal(processEnvironment(worker, localSite, 1, {}).RAMP_WORKER_METRICS_PORT, '40011');
    assert.equal(composeEnvironment(worker).RAMP_WORKER_METRICS_PORT, composeSite.workerMetricsPort(0));
  });
});
