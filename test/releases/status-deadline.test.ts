import assert from 'node:assert/strict';
import { createServer } from 'node:net';
import { test } from 'node:test';
import { Client, Connection } from '@temporalio/client';
import { describeUnexpected, statusOf } from '../../src/api/error-status.ts';
import { createFileArtifactStore } from '../../src/artifacts/file-artifact-store.ts';
import { createReleaseClient } from '../../src/releases/release-client.ts';
import { GrpcStatus, grpcCodeOf } from '../../src/temporal/grpc-status.ts';

// Temporal down (a port nothing answers on): a status read fails at its 5 s deadline, which the API answers
// as 503 Unavailable, instead of after the Temporal client's own retries (about 20 s: the test fails then,
// with Unavailable from the retries, not DeadlineExceeded).
test('a status read with Temporal unreachable fails at its deadline, the API’s 503 Unavailable', async () => {
  const closed = createServer();
  await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
  const address = closed.address();
  assert.ok(address && typeof address === 'object');
  await new Promise<void>((resolve) => closed.close(() => resolve()));
  const connection = Connection.lazy({ address: `127.0.0.1:${address.port}` });
  try {
    const releases = createReleaseClient({
      client: new Client({ connection }),
      artifacts: createFileArtifactStore('/tmp/ramp-status-deadline'),
      taskQueue: 'unused',
      defaultRegion: 'us-east-1',
    });
    await assert.rejects(
      releases.status('us-east-1.orders.live.0192f0a0-0000-7000-8000-000000000000'),
      (error: unknown) => {
        assert.equal(grpcCodeOf(error), GrpcStatus.DeadlineExceeded, String(error));
        const answer = describeUnexpected(error);
        assert.equal(answer.type, 'Unavailable');
        assert.equal(statusOf(answer.type), 503);
        return true;
      },
    );
  } finally {
    await connection.close();
  }
});
