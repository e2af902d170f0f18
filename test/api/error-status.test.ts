import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ServiceError } from '@temporalio/client';
import { describeUnexpected, statusOf } from '../../src/api/error-status.ts';
import { FailureType } from '../../src/domain/failure-types.ts';
import { alreadyRunning, ReleaseClientError, releaseNotFound } from '../../src/releases/release-errors.ts';

/** The shape @grpc/grpc-js gives a failed call (Temporal's client passes these through). */
function grpcError(code: number, details: string): Error {
  return Object.assign(new Error(`${code} ${details}`), { code, details, metadata: {} });
}

test('failure types map to the HTTP statuses the API documents', () => {
  assert.deepEqual(
    [
      FailureType.InvalidSpec,
      'BadRequest',
      'Unauthorized',
      'Forbidden',
      'ReleaseNotFound',
      FailureType.AlreadyRunning,
      FailureType.InvalidState,
      'PayloadTooLarge',
      'UnsupportedMediaType',
      FailureType.Transient,
      'Unavailable',
      'SomethingNew',
    ].map(statusOf),
    [400, 400, 401, 403, 404, 409, 409, 413, 415, 503, 503, 500],
  );
});

test('release client errors keep their type and details, such as the running release of a 409', () => {
  const running = describeUnexpected(alreadyRunning('us-east-1.orders.live.abc', 'orders:live'));
  assert.equal(running.type, FailureType.AlreadyRunning);
  assert.deepEqual(running.details, { runningReleaseId: 'us-east-1.orders.live.abc' });
  assert.equal(describeUnexpected(releaseNotFound('x')).type, 'ReleaseNotFound');
  assert.equal(
    describeUnexpected(new ReleaseClientError(FailureType.Transient, 'ended oddly')).type,
    'Transient',
  );
});

test('Temporal unreachable or overloaded is a 503 to retry; a refused argument is a 400', () => {
  assert.equal(describeUnexpected(grpcError(14, 'connection refused')).type, 'Unavailable');
  assert.equal(describeUnexpected(grpcError(4, 'deadline exceeded')).type, 'Unavailable');
  assert.equal(
    describeUnexpected(new ServiceError('failed', { cause: grpcError(8, 'namespace rate limit') })).type,
    'Unavailable',
  );
  assert.equal(describeUnexpected(grpcError(3, 'invalid query')).type, 'BadRequest');
});

test('an unexpected error is a 500 whose message does not leak internals', () => {
  const described = describeUnexpected(
    new TypeError('Cannot read properties of undefined (reading "secret")'),
  );
  assert.equal(described.type, 'Internal');
  assert.doesNotMatch(described.message, /secret/);
});
