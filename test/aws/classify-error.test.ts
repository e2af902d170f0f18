import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  InvalidParameterValueException,
  PreconditionFailedException,
  ResourceConflictException,
  ResourceNotFoundException,
  ServiceException,
  TooManyRequestsException,
} from '@aws-sdk/client-lambda';
import { classifyAwsError, codeShaMismatchValues } from '../../src/aws/classify-error.ts';
import { isRetryable } from '../../src/domain/failure-types.ts';

const meta = (httpStatusCode: number) => ({ $metadata: { httpStatusCode } });

describe('classifying AWS errors', () => {
  test('a 429 TooManyRequestsException is Throttled, retryable, with its Retry-After in ms', () => {
    const error = new TooManyRequestsException({
      message: 'Rate exceeded',
      ...meta(429),
      retryAfterSeconds: '2',
      Reason: 'CallerRateLimitExceeded',
    });
    const classified = classifyAwsError(error);
    assert.equal(classified.type, 'Throttled');
    assert.equal(classified.retryAfterMs, 2000);
    assert.equal(classified.reason, 'CallerRateLimitExceeded');
    assert.ok(isRetryable(classified.type));
  });

  test('a 412 PreconditionFailedException is a terminal Conflict', () => {
    const classified = classifyAwsError(
      new PreconditionFailedException({
        message: 'The Revision Id provided does not match the latest Revision Id.',
        ...meta(412),
      }),
    );
    assert.equal(classified.type, 'Conflict');
    assert.equal(isRetryable(classified.type), false);
  });

  test("PublishVersion's CodeSha256 mismatch (a 400 InvalidParameterValueException) is a Conflict with both hashes", () => {
    const message =
      'CodeSHA256 (abc=) is different from current CodeSHA256 in $LATEST (PFn4S+er27qk+UuZSTKEQfNKG/XNn7QJs90mJgq6oH8=). Please try again with the CodeSHA256 in $LATEST.';
    const classified = classifyAwsError(new InvalidParameterValueException({ message, ...meta(400) }));
    assert.equal(classified.type, 'Conflict');
    assert.deepEqual(codeShaMismatchValues(message), {
      given: 'abc=',
      current: 'PFn4S+er27qk+UuZSTKEQfNKG/XNn7QJs90mJgq6oH8=',
    });
  });

  test('any other InvalidParameterValueException is a terminal InvalidRequest', () => {
    const classified = classifyAwsError(
      new InvalidParameterValueException({
        message: 'Number of items in AdditionalVersionWeights cannot be greater than 1',
        ...meta(400),
      }),
    );
    assert.equal(classified.type, 'InvalidRequest');
  });

  test('a 409 for an update in progress is retryable UpdateInProgress; "alias already exists" is a Conflict', () => {
    const inProgress = classifyAwsError(
      new ResourceConflictException({
        message:
          'The operation cannot be performed at this time. An update is in progress for resource: arn:aws:lambda:us-east-1:123456789012:function:f',
        ...meta(409),
      }),
    );
    assert.equal(inProgress.type, 'UpdateInProgress');
    assert.ok(isRetryable(inProgress.type));
    const exists = classifyAwsError(
      new ResourceConflictException({
        message: 'Alias already exists: arn:aws:lambda:us-east-1:123456789012:function:f:live',
        ...meta(409),
      }),
    );
    assert.equal(exists.type, 'Conflict');
  });

  test('ServiceException, 5xx and dropped connections are Transient and retryable', () => {
    assert.equal(classifyAwsError(new ServiceException({ message: 'boom', ...meta(500) })).type, 'Transient');
    const reset = Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' });
    assert.equal(classifyAwsError(reset).type, 'Transient');
  });

  test('a 404 ResourceNotFoundException is NotFound', () => {
    assert.equal(
      classifyAwsError(new ResourceNotFoundException({ message: 'Function not found: arn', ...meta(404) }))
        .type,
      'NotFound',
    );
  });
});
