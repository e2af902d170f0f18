import assert from 'node:assert/strict';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { describe, test } from 'node:test';
import { CreateFunctionCommand, waitUntilFunctionActiveV2 } from '@aws-sdk/client-lambda';
import { WorkflowFailedError } from '@temporalio/client';
import { ActivityFailure, ApplicationFailure } from '@temporalio/common';
import { MockActivityEnvironment } from '@temporalio/testing';
import { createRunValidationHook, type HookInput } from '../../src/activities/run-hook.ts';
import { createFileArtifactStore } from '../../src/artifacts/file-artifact-store.ts';
import { createAwsClients } from '../../src/aws/lambda-clients.ts';
import type { HealthVerdict } from '../../src/domain/health-verdict.ts';
import { alwaysHealthy } from '../../src/health/health-gate.ts';
import type { HookPayload } from '../../src/health/hooks.ts';
import { uniqueName, withWorker } from '../helpers/temporal.ts';
import { role, withSim, zipOf } from '../sim/fixtures.ts';

const payload: HookPayload = {
  releaseId: 'us-east-1.f.live.1',
  stage: 'beforeTraffic',
  functionName: 'f',
  alias: 'live',
  region: 'us-east-1',
  candidateVersion: '2',
  stableVersion: '1',
};

/** An HTTP hook that never answers: it counts calls, how many are open at once, and closes when the caller does. */
async function withSlowHook(
  body: (url: string, seen: { calls: number; open: number; maxOpen: number }) => Promise<void>,
) {
  const seen = { calls: 0, open: 0, maxOpen: 0 };
  const held: ServerResponse[] = [];
  const server = createServer((request: IncomingMessage, response: ServerResponse) => {
    seen.calls++;
    seen.open++;
    seen.maxOpen = Math.max(seen.maxOpen, seen.open);
    held.push(response);
    request.socket.once('close', () => {
      seen.open--;
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  try {
    await body(`http://127.0.0.1:${(server.address() as AddressInfo).port}/check`, seen);
  } finally {
    for (const response of held) response.destroy();
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  }
}

const activityDeps = (
  endpoint = 'http://127.0.0.1:9',
  credentials = { accessKeyId: 'test', secretAccessKey: 'test' },
) => ({
  aws: createAwsClients({ endpoint, credentials }),
  artifacts: createFileArtifactStore('/nonexistent'),
  healthGate: alwaysHealthy,
});

describe('validation hooks', () => {
  test('a hook slower than its timeout is called exactly once per attempt and never twice at once, heartbeating meanwhile', async () => {
    await withSlowHook(async (url, seen) => {
      const failure = await withWorker(
        { activities: { runValidationHook: createRunValidationHook(activityDeps()) } },
        ({ client, taskQueue }) =>
          client.workflow.execute('hookAttempts', {
            taskQueue,
            workflowId: uniqueName('hook'),
            // The hook outlives the heartbeat timeout: without heartbeats while it runs, Temporal would time the
            // attempt out and start the next one while the first call still ran.
            args: [
              {
                hook: { http: url },
                payload,
                timeoutMs: 1_500,
                maximumAttempts: 2,
                heartbeatTimeoutMs: 500,
              } satisfies HookInput & {
                maximumAttempts: number;
                heartbeatTimeoutMs: number;
              },
            ],
          }),
      ).catch((error: unknown) => error);

      assert.ok(failure instanceof WorkflowFailedError, String(failure));
      assert.ok(failure.cause instanceof ActivityFailure);
      const cause = failure.cause.cause;
      assert.ok(cause instanceof ApplicationFailure);
      assert.equal(cause.type, 'Transient');
      assert.match(cause.message, /did not answer within 1500 ms/);
      assert.equal(seen.calls, 2, 'one call per attempt');
      assert.equal(seen.maxOpen, 1, 'never two calls at once');
    });
  });

  test('a Lambda hook slower than its timeout is aborted at the timeout and reported as retryable', async () => {
    await withSim({}, async (sim, lambda) => {
      await lambda.send(
        new CreateFunctionCommand({
          FunctionName: 'slow-check',
          Role: role,
          Runtime: 'nodejs20.x',
          Handler: 'index.handler',
          Code: { ZipFile: zipOf({ latencyMs: { p50: 5_000, p99: 5_000 } }) },
        }),
      );
      await waitUntilFunctionActiveV2(
        { client: lambda, maxWaitTime: 10, minDelay: 1 },
        { FunctionName: 'slow-check' },
      );
      const env = new MockActivityEnvironment({ heartbeatTimeoutMs: 300 });
      let heartbeats = 0;
      env.on('heartbeat', () => {
        heartbeats++;
      });
      const failure = await env
        .run(createRunValidationHook(activityDeps(sim.endpoint, sim.clientConfig.credentials)), {
          hook: { lambda: 'slow-check' },
          payload,
          timeoutMs: 400,
        })
        .catch((error: unknown) => error);

      assert.ok(failure instanceof ApplicationFailure, String(failure));
      assert.equal(failure.type, 'Transient');
      assert.equal(failure.nonRetryable, false);
      assert.match(failure.message, /hook slow-check did not answer within 400 ms/);
      assert.ok(heartbeats >= 2, `heartbeats while the hook ran: ${heartbeats}`);
    });
  });

  test('messages name an HTTP hook by its origin only: a token in its path or query never reaches a verdict or failure message', async () => {
    const server = createServer((_request, response) => {
      response.writeHead(503).end('down for maintenance');
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    try {
      const env = new MockActivityEnvironment();
      const verdict: HealthVerdict = await env.run(createRunValidationHook(activityDeps()), {
        hook: { http: `${origin}/hooks/s3cr3t-path?token=s3cr3t-query` },
        payload,
        timeoutMs: 5_000,
      });
      assert.equal(verdict.status, 'fail');
      assert.equal(verdict.message, `hook ${origin}/… answered 503: down for maintenance`);
      await withSlowHook(async (url) => {
        const failure = await new MockActivityEnvironment({ heartbeatTimeoutMs: 300 })
          .run(createRunValidationHook(activityDeps()), {
            hook: { http: `${url}?token=s3cr3t-query` },
            payload,
            timeoutMs: 300,
          })
          .then(
            () => new Error('the hook answered'),
            (error: unknown) => error as Error,
          );
        assert.match(failure.message, /did not answer within 300 ms/);
        assert.doesNotMatch(failure.message, /s3cr3t|\/check/);
      });
    } finally {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    }
  });
});
