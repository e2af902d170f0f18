/**
 * Payload encryption as an operator turns it on: a real `ramp worker` process and the API, both given
 * RAMP_PAYLOAD_KEYS, against the real dev server and the simulator. Temporal's stored history, read raw
 * (no codec), holds none of the release's secrets, while the API, which holds the key, answers in plaintext.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import {
  CreateAliasCommand,
  CreateFunctionCommand,
  LambdaClient,
  waitUntilFunctionActiveV2,
} from '@aws-sdk/client-lambda';
import proto, { type temporal as protoTypes } from '@temporalio/proto';
import { type StartedApi, startApi } from '../../src/api/start-api.ts';
import { loadConfig } from '../../src/config.ts';
import { parseReleaseId } from '../../src/domain/release-id.ts';
import type { ReleaseStatus } from '../../src/domain/release-status.ts';
import { startSimulator } from '../../src/sim/index.ts';
import { encryptedEncoding } from '../../src/temporal/payload-codec.ts';
import { findTemporalCli } from '../../src/temporal/temporal-cli.ts';
import { captureLogger } from '../helpers/log-capture.ts';
import { logLineOf, startWorkerProcess } from '../helpers/ramp-worker-process.ts';
import { zipBase64, zipWith } from '../helpers/release-stack.ts';
import { temporalEnvironment, uniqueName } from '../helpers/temporal.ts';
import { waitForState } from '../helpers/wait-for.ts';
import { startWebhookReceiver } from '../helpers/webhook-receiver.ts';

const { History } = proto.temporal.api.history.v1;
const operatorToken = 'operator-token-0123456789';
const readerToken = 'reader-token-0123456789abc';
const paymentsOperatorToken = 'payments-operator-token-0123';
const uiOrigin = 'http://localhost:8233';

/** The CLI's JSON output with every payload's base64 `data` decoded beside it, to search for plaintext. */
function withPayloadsDecoded(output: string): string {
  const decoded = [...output.matchAll(/"data": "([A-Za-z0-9+/=]*)"/g)].map((match) =>
    Buffer.from(match[1] ?? '', 'base64').toString('utf8'),
  );
  return [output, ...decoded].join('\n');
}

/** `temporal workflow show` as an operator runs it, asynchronously (the API it calls runs in this process). */
function temporalCli(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const cli = findTemporalCli();
  if (cli.kind !== 'binary') throw new Error('the temporal CLI binary is needed');
  return new Promise((resolve) => {
    execFile(cli.path, args, { timeout: 60_000, maxBuffer: 64 * 1024 * 1024 }, (error, stdout, stderr) =>
      resolve({ code: error ? Number(error.code ?? 1) : 0, stdout, stderr }),
    );
  });
}

describe('payload encryption (RAMP_PAYLOAD_KEYS)', () => {
  test('a release with encryption on runs end to end; its raw history holds no hook URL, secret or description, and the API answers decoded', async () => {
    const temporal = await temporalEnvironment();
    const sim = await startSimulator({ updateDelayMs: 50 });
    const receiver = await startWebhookReceiver();
    const lambda = new LambdaClient({ ...sim.clientConfig, maxAttempts: 1 });
    const scratch = mkdtempSync(join(tmpdir(), 'ramp-encryption-'));
    const artifactDir = join(scratch, 'artifacts');
    const tokensFile = join(scratch, 'tokens.json');
    writeFileSync(
      tokensFile,
      JSON.stringify({
        tokens: [
          { name: 'operator', token: operatorToken, scopes: ['read', 'release', 'operate'] },
          { name: 'reader', token: readerToken, scopes: ['read'] },
          {
            name: 'payments-operator',
            token: paymentsOperatorToken,
            scopes: ['read', 'operate'],
            functions: ['payments-*'],
          },
        ],
      }),
    );
    // Secrets a team puts in a spec: a token in the hook's URL, a webhook path that is itself a credential
    // (as Slack's are), and a description nobody outside should read.
    const hookSecret = `hook-secret-${randomBytes(8).toString('hex')}`;
    const webhookSecret = `webhook-secret-${randomBytes(8).toString('hex')}`;
    const description = `confidential build ${randomBytes(8).toString('hex')}`;
    const hookUrl = `${receiver.url}/validate?token=${hookSecret}`;
    const webhookUrl = `${receiver.url}/notify/${webhookSecret}`;
    const taskQueue = uniqueName('encrypted');
    const fn = uniqueName('encrypted');
    const env = {
      TEMPORAL_ADDRESS: temporal.connection.options.address,
      TEMPORAL_NAMESPACE: temporal.namespace ?? 'default',
      RAMP_TASK_QUEUE: taskQueue,
      RAMP_ARTIFACT_STORE: `file://${artifactDir}`,
      RAMP_DATA_DIR: scratch,
      RAMP_LAMBDA_BUDGET: '0',
      RAMP_PAYLOAD_KEYS: `old=${randomBytes(32).toString('base64')},current=${randomBytes(32).toString('base64')}`,
      RAMP_PAYLOAD_KEY_ID: 'current',
      AWS_REGION: sim.region,
    };
    const worker = startWorkerProcess({
      ...env,
      RAMP_LOG_LEVEL: 'info',
      AWS_ENDPOINT_URL: sim.endpoint,
      AWS_ACCESS_KEY_ID: sim.clientConfig.credentials.accessKeyId,
      AWS_SECRET_ACCESS_KEY: sim.clientConfig.credentials.secretAccessKey,
      ...(process.env.RAMP_TEST_WORKFLOW_BUNDLE
        ? { RAMP_WORKFLOW_BUNDLE: process.env.RAMP_TEST_WORKFLOW_BUNDLE }
        : {}),
    });
    let api: StartedApi | undefined;
    try {
      await lambda.send(
        new CreateFunctionCommand({
          FunctionName: fn,
          Role: 'arn:aws:iam::123456789012:role/r',
          Runtime: 'nodejs20.x',
          Handler: 'index.handler',
          Code: { ZipFile: zipWith() },
          Publish: true,
        }),
      );
      await waitUntilFunctionActiveV2({ client: lambda, maxWaitTime: 30, minDelay: 1 }, { FunctionName: fn });
      await lambda.send(new CreateAliasCommand({ FunctionName: fn, Name: 'live', FunctionVersion: '1' }));
      assert.ok(
        await logLineOf(worker, 'polling for release workflows and activities'),
        `the worker started:\n${worker.output()}`,
      );
      api = await startApi(
        loadConfig({
          ...env,
          RAMP_API_PORT: '0',
          RAMP_API_TOKENS_FILE: tokensFile,
          RAMP_CODEC_CORS_ORIGINS: uiOrigin,
        }),
        { logger: captureLogger('warn').logger },
      );
      const call = async (
        method: string,
        path: string,
        body?: unknown,
        token: string | null = operatorToken,
        headers: Record<string, string> = {},
      ) => {
        const response = await fetch(`${api?.url}${path}`, {
          method,
          headers: {
            ...(token ? { authorization: `Bearer ${token}` } : {}),
            ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
            ...headers,
          },
          ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
        });
        const text = await response.text();
        return {
          status: response.status,
          headers: response.headers,
          json: (text ? JSON.parse(text) : {}) as Record<string, unknown>,
        };
      };

      const started = await call('POST', '/v1/releases', {
        function: fn,
        alias: 'live',
        code: { zipFile: zipBase64() },
        strategy: 'AllAtOnce',
        description,
        health: { hooks: { beforeTraffic: { http: hookUrl } } },
        notify: [{ webhook: webhookUrl }],
      });
      assert.equal(started.status, 202, JSON.stringify(started.json));
      const releaseId = String(started.json.id);
      const status = await waitForState(
        async () => (await call('GET', `/v1/releases/${releaseId}`)).json as unknown as ReleaseStatus,
        (answer) => answer.outcome !== null && answer.outcome !== undefined,
        { timeoutMs: 90_000, what: 'release', intervalMs: 200 },
      );
      assert.equal(status.outcome, 'succeeded', JSON.stringify(status.lastError));
      // The API holds the key: the status (a workflow query) and the listing's description (a memo) are decoded.
      assert.equal(status.functionName, fn);
      assert.ok(status.timeline.length > 0 && status.candidateVersion);
      const listed = await call('GET', `/v1/releases?function=${fn}`);
      assert.ok(JSON.stringify(listed.json).includes(description), 'the listing decodes the memo');
      assert.ok(
        receiver.received.some((request) => request.path === `/validate?token=${hookSecret}`),
        'the hook was called at its secret URL: the worker decrypted the spec',
      );
      assert.ok(
        receiver.received.some((request) => request.path === `/notify/${webhookSecret}`),
        'the notification reached its secret webhook',
      );

      // Temporal's own record, read without the codec: the history's bytes and the execution's memo.
      const parsed = parseReleaseId(releaseId);
      assert.ok(parsed);
      const execution = { workflowId: parsed.workflowId, runId: parsed.runId };
      const namespace = temporal.namespace ?? 'default';
      const events: protoTypes.api.history.v1.IHistoryEvent[] = [];
      let nextPageToken: Uint8Array | undefined;
      do {
        const page = await temporal.client.workflowService.getWorkflowExecutionHistory({
          namespace,
          execution,
          ...(nextPageToken ? { nextPageToken } : {}),
        });
        events.push(...(page.history?.events ?? []));
        nextPageToken = page.nextPageToken?.length ? page.nextPageToken : undefined;
      } while (nextPageToken);
      const described = await temporal.client.workflowService.describeWorkflowExecution({
        namespace,
        execution,
      });
      const stored = Buffer.concat([
        Buffer.from(History.encode({ events }).finish()),
        Buffer.from(
          proto.temporal.api.workflowservice.v1.DescribeWorkflowExecutionResponse.encode(described).finish(),
        ),
      ]);
      // The search is able to find plaintext: the function's name is a search attribute, stored as it is.
      assert.ok(stored.includes(fn), 'the raw bytes are searchable (the RampFunction search attribute)');
      for (const [what, secret] of [
        ['the hook URL', hookUrl],
        ['the hook’s secret token', hookSecret],
        ['the webhook URL', webhookUrl],
        ['the webhook’s secret', webhookSecret],
        ['the description', description],
        ['the receiver’s address', receiver.url],
      ]) {
        assert.ok(!stored.includes(secret as string), `${what} is not stored in plaintext`);
      }
      const started0 = events[0]?.workflowExecutionStartedEventAttributes?.input?.payloads?.[0];
      assert.equal(
        Buffer.from(started0?.metadata?.encoding ?? []).toString('utf8'),
        encryptedEncoding,
        'the release input is sealed',
      );

      // The codec endpoint, as the Temporal UI and CLI call it: proto3 JSON, base64 data and metadata.
      assert.ok(started0);
      const sealedJson = {
        metadata: Object.fromEntries(
          Object.entries(started0.metadata ?? {}).map(([key, value]) => [
            key,
            Buffer.from(value).toString('base64'),
          ]),
        ),
        data: Buffer.from(started0.data ?? []).toString('base64'),
      };
      const decodeBody = { payloads: [sealedJson] };
      const anonymous = await call('POST', '/codec/decode', decodeBody, null, { origin: uiOrigin });
      assert.equal(anonymous.status, 401);
      assert.equal(
        anonymous.headers.get('access-control-allow-origin'),
        uiOrigin,
        'the UI can read the refusal',
      );
      assert.equal(
        (await call('POST', '/codec/decode', decodeBody, readerToken)).status,
        403,
        'read is not enough',
      );
      const narrow = await call('POST', '/codec/decode', decodeBody, paymentsOperatorToken);
      assert.equal(narrow.status, 403, 'a token for some functions cannot decode any payload');
      assert.match(JSON.stringify(narrow.json), /every function/);
      const decoded = await call('POST', '/codec/decode', decodeBody, operatorToken, {
        origin: uiOrigin,
        'x-namespace': namespace,
      });
      assert.equal(decoded.status, 200, JSON.stringify(decoded.json));
      assert.equal(decoded.headers.get('access-control-allow-origin'), uiOrigin);
      const [plain] = (decoded.json as { payloads: { metadata: Record<string, string>; data: string }[] })
        .payloads;
      assert.equal(Buffer.from(plain?.metadata.encoding ?? '', 'base64').toString(), 'json/plain');
      const input = Buffer.from(plain?.data ?? '', 'base64').toString('utf8');
      for (const secret of [hookUrl, webhookUrl])
        assert.ok(input.includes(secret), 'decode gives the plaintext');

      // Encode seals what the UI sends (a signal's input, say), and decode opens it again.
      const encoded = await call('POST', '/codec/encode', { payloads: [plain] });
      assert.equal(encoded.status, 200);
      const [resealed] = (encoded.json as { payloads: { metadata: Record<string, string>; data: string }[] })
        .payloads;
      assert.equal(Buffer.from(resealed?.metadata.encoding ?? '', 'base64').toString(), encryptedEncoding);
      const reopened = await call('POST', '/codec/decode', { payloads: [resealed] });
      assert.deepEqual(reopened.json, decoded.json);
      const tampered = { ...sealedJson, data: Buffer.from(`x${sealedJson.data}`).toString('base64') };
      const refused = await call('POST', '/codec/decode', { payloads: [tampered] });
      assert.equal(refused.status, 400);
      assert.match(JSON.stringify(refused.json), /failed authentication/);

      // The browser's preflight: allowed for the UI's origin only, and without a token (browsers send none).
      const preflight = await call('OPTIONS', '/codec/decode', undefined, null, {
        origin: uiOrigin,
        'access-control-request-method': 'POST',
        'access-control-request-headers': 'authorization, content-type, x-namespace',
      });
      assert.equal(preflight.status, 204);
      assert.equal(preflight.headers.get('access-control-allow-origin'), uiOrigin);
      assert.match(preflight.headers.get('access-control-allow-headers') ?? '', /authorization/);
      const stranger = await call('OPTIONS', '/codec/decode', undefined, null, {
        origin: 'https://evil.example.com',
        'access-control-request-method': 'POST',
      });
      assert.equal(stranger.status, 403);
      assert.equal(stranger.headers.get('access-control-allow-origin'), null);

      // Temporal's own CLI reads the history through the endpoint: the hook URL comes back in plaintext.
      const showArgs = [
        'workflow',
        'show',
        '--address',
        temporal.connection.options.address,
        '--namespace',
        namespace,
        '--workflow-id',
        parsed.workflowId,
        '--run-id',
        parsed.runId,
        '--output',
        'json',
      ];
      const rawShow = await temporalCli(showArgs);
      assert.equal(rawShow.code, 0, rawShow.stderr);
      assert.ok(rawShow.stdout.includes('"data"'), 'the CLI shows payloads');
      assert.ok(
        !withPayloadsDecoded(rawShow.stdout).includes(hookUrl),
        'without the codec the CLI shows ciphertext',
      );
      const shown = await temporalCli([
        ...showArgs,
        '--codec-endpoint',
        `${api.url}/codec`,
        '--codec-auth',
        `Bearer ${operatorToken}`,
      ]);
      assert.equal(shown.code, 0, shown.stderr);
      assert.ok(
        withPayloadsDecoded(shown.stdout).includes(hookUrl),
        'with the codec endpoint the CLI shows the hook URL',
      );
    } finally {
      await api?.close();
      worker.child.kill('SIGKILL');
      await worker.exited;
      lambda.destroy();
      await receiver.close();
      await sim.close();
      rmSync(scratch, { recursive: true, force: true });
    }
  });
});
