/**
 * mTLS to Temporal from files, through the one connection module every Ramp process uses. The dev server
 * cannot serve TLS, so a node:tls front (test/helpers/mtls-proxy.ts) that requires client certificates
 * stands before it: the client and the worker's native connection do a real handshake with throwaway
 * certificates (openssl), then real Temporal calls, a workflow and an activity, go through it.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { Worker } from '@temporalio/worker';
import { loadConfig } from '../../src/config.ts';
import { connectClient, TemporalConnectionError } from '../../src/temporal/connect.ts';
import { connectWorker } from '../../src/temporal/connect-worker.ts';
import { runCli } from '../helpers/cli.ts';
import { type MtlsProxy, startMtlsProxy } from '../helpers/mtls-proxy.ts';
import { temporalEnvironment, uniqueName, workflowBundle } from '../helpers/temporal.ts';
import { makeCertificates } from '../helpers/tls-certificates.ts';

const certificates = makeCertificates();
let proxy: MtlsProxy;
let namespace: string;

before(async () => {
  const temporal = await temporalEnvironment();
  namespace = temporal.namespace ?? 'default';
  proxy = await startMtlsProxy({
    target: temporal.connection.options.address,
    cert: certificates.read(certificates.serverCert),
    key: certificates.read(certificates.serverKey),
    clientCa: certificates.read(certificates.caCert),
  });
});
after(async () => {
  await proxy?.close();
  certificates.remove();
});

/** The environment an operator sets for mTLS; `overrides` replace or (undefined) remove variables. */
function tlsEnv(overrides: Record<string, string | undefined> = {}): Record<string, string> {
  const env: Record<string, string | undefined> = {
    TEMPORAL_ADDRESS: `localhost:${proxy.port}`,
    TEMPORAL_NAMESPACE: namespace,
    TEMPORAL_TLS_CA: certificates.caCert,
    TEMPORAL_TLS_CERT: certificates.clientCert,
    TEMPORAL_TLS_KEY: certificates.clientKey,
    TEMPORAL_CONNECT_TIMEOUT: '3s',
    ...overrides,
  };
  return Object.fromEntries(Object.entries(env).filter(([, value]) => value !== undefined)) as Record<
    string,
    string
  >;
}

/** A connection attempt's failure, which must come within the connect timeout plus slack for a busy machine. */
async function failureOf(connecting: () => Promise<unknown>): Promise<TemporalConnectionError> {
  const startedAt = Date.now();
  const error = await connecting().then(
    () => assert.fail('connected, but it should not have'),
    (failure: unknown) => failure,
  );
  assert.ok(Date.now() - startedAt < 20_000, 'failed within a bound, not hanging');
  assert.ok(error instanceof TemporalConnectionError, `a TemporalConnectionError: ${String(error)}`);
  return error;
}

describe('mTLS to Temporal (TEMPORAL_TLS_CA, TEMPORAL_TLS_CERT, TEMPORAL_TLS_KEY, TEMPORAL_TLS_SERVER_NAME)', () => {
  test('a client and a worker connect with the client certificate and run a workflow and its activity through TLS', async () => {
    const config = loadConfig(tlsEnv()).temporal;
    const client = await connectClient(config);
    const connection = await connectWorker(config);
    try {
      const taskQueue = uniqueName('mtls');
      const worker = await Worker.create({
        connection,
        namespace,
        taskQueue,
        workflowBundle: await workflowBundle(),
        activities: {
          describeServer: async ({ label }: { label: string }) => ({ label, processId: process.pid }),
        },
      });
      const result = await worker.runUntil(
        client.workflow.execute('harnessRoundTrip', {
          args: [{ label: 'over mTLS' }],
          taskQueue,
          workflowId: uniqueName('mtls'),
        }),
      );
      assert.deepEqual(result, { label: 'over mTLS', processId: process.pid });
      assert.ok(
        proxy.acceptedClients.filter((name) => name === 'client').length >= 2,
        `the client and the worker presented the client certificate: ${proxy.acceptedClients.join(', ')}`,
      );
    } finally {
      await client.connection.close();
      await connection.close();
    }
  });

  test('TEMPORAL_TLS_SERVER_NAME checks the server certificate against another name than the address’s host', async () => {
    const good = loadConfig(
      tlsEnv({ TEMPORAL_ADDRESS: proxy.address, TEMPORAL_TLS_SERVER_NAME: 'temporal.ramp.test' }),
    ).temporal;
    const client = await connectClient(good);
    await client.workflowService.getSystemInfo({});
    await client.connection.close();

    const wrong = loadConfig(tlsEnv({ TEMPORAL_TLS_SERVER_NAME: 'someone-else.example.com' })).temporal;
    const error = await failureOf(() => connectClient(wrong));
    assert.match(error.message, /TEMPORAL_TLS_SERVER_NAME/);
    assert.match(error.message, /someone-else\.example\.com.*ERR_TLS_CERT_ALTNAME_INVALID/, 'says why');
  });

  test('a CA that did not sign the server’s certificate fails fast, naming TEMPORAL_ADDRESS and TEMPORAL_TLS_CA', async () => {
    const config = loadConfig(tlsEnv({ TEMPORAL_TLS_CA: certificates.otherCaCert })).temporal;
    for (const [who, connecting, why] of [
      ['client', () => connectClient(config), /TLS handshake: .*CERT/],
      ['worker', () => connectWorker(config), /UnknownIssuer/],
    ] as const) {
      const error = await failureOf(connecting);
      assert.match(error.message, why, `${who} says why`);
      assert.match(
        error.message,
        new RegExp(`Temporal at localhost:${proxy.port} \\(TEMPORAL_ADDRESS, TLS;`),
        who,
      );
      assert.match(error.message, /TEMPORAL_TLS_CA/, who);
    }
  });

  test('without a client certificate the server refuses the handshake, and the message points at TEMPORAL_TLS_CERT', async () => {
    const refusedBefore = proxy.refusedHandshakes.length;
    const config = loadConfig(tlsEnv({ TEMPORAL_TLS_CERT: undefined, TEMPORAL_TLS_KEY: undefined })).temporal;
    const error = await failureOf(() => connectClient(config));
    assert.match(error.message, /TEMPORAL_TLS_CERT/);
    assert.match(error.message, /the server refused the handshake \(.*certificate required\)/);
    assert.ok(proxy.refusedHandshakes.length > refusedBefore, 'the server side refused a handshake');
  });

  test('plaintext to a TLS endpoint, or nothing listening at TEMPORAL_ADDRESS, fails fast naming TEMPORAL_ADDRESS', async () => {
    const plaintext = loadConfig({
      TEMPORAL_ADDRESS: proxy.address,
      TEMPORAL_CONNECT_TIMEOUT: '3s',
    }).temporal;
    const error = await failureOf(() => connectClient(plaintext));
    assert.match(error.message, new RegExp(`Temporal at ${proxy.address} \\(TEMPORAL_ADDRESS, no TLS;`));
    assert.match(error.message, /set TEMPORAL_TLS=true or TEMPORAL_TLS_CA/);
    assert.match(error.message, /the server answers TLS, but TLS is off/);

    const nothing = loadConfig({ TEMPORAL_ADDRESS: '127.0.0.1:1', TEMPORAL_CONNECT_TIMEOUT: '3s' }).temporal;
    for (const [connecting, why] of [
      [() => connectClient(nothing), /ECONNREFUSED/],
      [() => connectWorker(nothing), /Connection refused/],
    ] as const) {
      const { message } = await failureOf(connecting);
      assert.match(message, /127\.0\.0\.1:1 \(TEMPORAL_ADDRESS/);
      assert.match(message, why);
    }
  });

  test('`ramp healthcheck` with a wrong CA exits 2 with one line naming the variables, no stack trace', async () => {
    const run = await runCli(['healthcheck'], {
      env: { ...tlsEnv({ TEMPORAL_TLS_CA: certificates.otherCaCert }), RAMP_LOG_LEVEL: 'info' },
    });
    assert.equal(run.status, 2, run.stderr);
    assert.match(run.stderr, /^ramp: cannot connect to Temporal at localhost:\d+ \(TEMPORAL_ADDRESS, TLS;/);
    assert.match(run.stderr, /TEMPORAL_TLS_CA/);
    assert.doesNotMatch(run.stderr, /\n\s+at /, 'no stack trace');
  });
});
