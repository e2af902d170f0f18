import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { describe, test } from 'node:test';
import { LambdaClient } from '@aws-sdk/client-lambda';
import { ApplicationFailure } from '@temporalio/common';
import { MockActivityEnvironment } from '@temporalio/testing';
import { createListVersions } from '../../src/activities/list-versions.ts';
import { createFileArtifactStore } from '../../src/artifacts/file-artifact-store.ts';
import type { AwsClients } from '../../src/aws/lambda-clients.ts';
import { createAwsClients } from '../../src/aws/lambda-clients.ts';
import { alwaysHealthy } from '../../src/health/health-gate.ts';

/** An endpoint that answers every call as AWS answers a request signed with expired or refused credentials. */
async function withAnswer(
  answer: { status: number; type: string; message: string },
  body: (endpoint: string) => Promise<void>,
) {
  const server = createServer((_request, response) => {
    response.writeHead(answer.status, {
      'content-type': 'application/json',
      'x-amzn-errortype': answer.type,
    });
    response.end(JSON.stringify({ message: answer.message }));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  try {
    await body(`http://127.0.0.1:${(server.address() as AddressInfo).port}`);
  } finally {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  }
}

async function listVersionsWith(aws: AwsClients): Promise<unknown> {
  const listVersions = createListVersions({
    aws,
    artifacts: createFileArtifactStore('/nonexistent'),
    healthGate: alwaysHealthy,
  });
  return new MockActivityEnvironment()
    .run(listVersions, { functionName: 'f', region: 'us-east-1' })
    .catch((error: unknown) => error);
}

const credentials = { accessKeyId: 'test', secretAccessKey: 'test' };

describe('credential errors through the real SDK', () => {
  test('a 403 ExpiredTokenException is retried as CredentialsUnavailable', async () => {
    await withAnswer(
      {
        status: 403,
        type: 'ExpiredTokenException',
        message: 'The security token included in the request is expired',
      },
      async (endpoint) => {
        const failure = await listVersionsWith(createAwsClients({ endpoint, credentials }));
        assert.ok(failure instanceof ApplicationFailure, String(failure));
        assert.equal(failure.type, 'CredentialsUnavailable');
        assert.equal(failure.nonRetryable, false);
      },
    );
  });

  test('a 403 AccessDeniedException stays a terminal AccessDenied', async () => {
    await withAnswer(
      {
        status: 403,
        type: 'AccessDeniedException',
        message: 'User is not authorized to perform: lambda:ListVersionsByFunction',
      },
      async (endpoint) => {
        const failure = await listVersionsWith(createAwsClients({ endpoint, credentials }));
        assert.ok(failure instanceof ApplicationFailure, String(failure));
        assert.equal(failure.type, 'AccessDenied');
        assert.equal(failure.nonRetryable, true);
      },
    );
  });

  test("a credential provider that cannot fetch credentials this moment is retried, whatever the SDK's chain threw", async () => {
    const lambda = new LambdaClient({
      region: 'us-east-1',
      endpoint: 'http://127.0.0.1:9',
      maxAttempts: 1,
      // What the SDK's providers throw when STS or IMDS does not answer (@smithy/property-provider).
      credentials: async () => {
        throw Object.assign(new Error('Could not load credentials from any providers'), {
          name: 'CredentialsProviderError',
          tryNextLink: false,
        });
      },
    });
    const aws: AwsClients = { ...createAwsClients(), lambda: () => lambda };
    const failure = await listVersionsWith(aws);
    lambda.destroy();
    assert.ok(failure instanceof ApplicationFailure, String(failure));
    assert.equal(failure.type, 'CredentialsUnavailable');
    assert.equal(failure.nonRetryable, false);
  });
});
