/**
 * Payload encryption as an operator turns it on: a real `ramp worker` process and the API, both given
 * RAMP_PAYLOAD_KEYS, against the real dev server and the simulator. Temporal's stored history, read raw
 * (no codec), holds none of the release's secrets, while the API, which holds the key, answers in plaintext.
 */
import assert from 'node:assert/strict';
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
import { captureLogger } from '../helpers/log-capture.ts';
import { logLineOf, startWorkerProcess } from '../helpers/ramp-worker-process.ts';
import { zipBase64, zipWith } from '../helpers/release-stack.ts';
import { temporalEnvironment, uniqueName } from '../helpers/temporal.ts';
import { waitForState } from '../helpers/wait-for.ts';
import { startWebhookReceiver } from '../helpers/webhook-receiver.ts';

const { History } = proto.temporal.api.history.v1;
const operatorToken = 'operator-token-0123456789';
const readerToken = 'reader-token-0123456789abc';

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
      api = await startApi(loadConfig({ ...env, RAMP_API_PORT: '0', RAMP_API_TOKENS_FILE: tokensFile }), {
        logger: captureLogger('warn').logger,
      });
      const call = async (method: string, path: string, body?: unknown, token = operatorToken) => {
        const response = await fetch(`${api?.url}${path}`, {
          method,
          headers: {
            authorization: `Bearer ${token}`,
            ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
          },
          ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
        });
        return { status: response.status, json: (await response.json()) as Record<string, unknown> };
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
