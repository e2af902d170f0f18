import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  InvalidParameterValueException,
  LambdaServiceException,
  PreconditionFailedException,
  ResourceConflictException,
  ResourceNotFoundException,
  ServiceException,
  TooManyRequestsException,
} from '@aws-sdk/client-lambda';
import {
  classifyAwsError,
  classifyWebhookStatus,
  codeShaMismatchValues,
} from '../../src/aws/classify-error.ts';
import { isRetryable } from '../../src/domain/failure-types.ts';

const meta = (httpStatusCode: number) => ({ $metadata: { httpStatusCode } });
/** An AWS service error as the SDK builds one from a response: a name, a fault and the HTTP status. */
const awsError = (name: string, httpStatusCode: number, message: string) =>
  new LambdaServiceException({ name, $fault: 'client', message, ...meta(httpStatusCode) });

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

  test("S3's 503 SlowDown is Throttled", () => {
    assert.equal(
      classifyAwsError(awsError('SlowDown', 503, 'Please reduce your request rate.')).type,
      'Throttled',
    );
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
    // Node's own shape for a reset connection: only its `code` says what it is (an unknown Error is Internal).
    const reset = Object.assign(new Error('read ECONNRESET'), {
      code: 'ECONNRESET',
      errno: -104,
      syscall: 'read',
    });
    assert.equal(classifyAwsError(reset).type, 'Transient');
    const sdkTimeout = Object.assign(new Error('Connection timed out after 1000 ms'), {
      name: 'TimeoutError',
    });
    assert.equal(classifyAwsError(sdkTimeout).type, 'Transient');
    // fetch (HTTP hooks) wraps the socket's error in a TypeError: the cause decides, not the class.
    const refused = new TypeError('fetch failed', {
      cause: Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:9'), { code: 'ECONNREFUSED' }),
    });
    assert.equal(classifyAwsError(refused).type, 'Transient');
    for (const code of [
      'EHOSTUNREACH',
      'ENETUNREACH',
      'UND_ERR_CONNECT_TIMEOUT',
      'UND_ERR_HEADERS_TIMEOUT',
    ]) {
      const error = new TypeError('fetch failed', { cause: Object.assign(new Error(code), { code }) });
      assert.equal(classifyAwsError(error).type, 'Transient', code);
    }
    assert.ok(isRetryable(classifyAwsError(refused).type));
  });

  test('a programming error is Internal, not retryable, and says it is a bug in Ramp', () => {
    const bugs = [
      new TypeError("Cannot read properties of undefined (reading 'CodeSha256')"),
      new RangeError('Invalid array length'),
      new ReferenceError('versionz is not defined'),
      new Error('unexpected state'),
    ];
    for (const bug of bugs) {
      const classified = classifyAwsError(bug);
      assert.equal(classified.type, 'Internal', bug.name);
      assert.equal(isRetryable(classified.type), false);
      assert.match(classified.message, /bug in Ramp/);
      assert.match(classified.message, new RegExp(bug.name));
      assert.equal(classified.awsErrorName, undefined);
    }
  });

  test('expired or unavailable credentials are retryable CredentialsUnavailable; a real denial stays AccessDenied', () => {
    const blips = [
      awsError('ExpiredTokenException', 403, 'The security token included in the request is expired'),
      awsError('ExpiredToken', 400, 'The provided token has expired.'),
      awsError('RequestExpired', 400, 'Request has expired.'),
      awsError(
        'IDPCommunicationError',
        400,
        'The request could not be fulfilled because the identity provider is not reachable.',
      ),
      // The provider chain's own failures: no HTTP response, no $metadata.
      Object.assign(new Error('Could not load credentials from any providers'), {
        name: 'CredentialsProviderError',
        tryNextLink: false,
      }),
      Object.assign(new Error('Token is expired. To refresh this SSO session run aws sso login'), {
        name: 'TokenProviderError',
      }),
    ];
    for (const blip of blips) {
      const classified = classifyAwsError(blip);
      assert.equal(classified.type, 'CredentialsUnavailable', blip.name);
      assert.ok(isRetryable(classified.type), blip.name);
    }
    const denied = classifyAwsError(
      awsError(
        'AccessDeniedException',
        403,
        'User: arn:aws:sts::123456789012:assumed-role/ci/ramp is not authorized to perform: lambda:UpdateAlias',
      ),
    );
    assert.equal(denied.type, 'AccessDenied');
    assert.equal(isRetryable(denied.type), false);
    const forbidden = classifyAwsError(awsError('Forbidden', 403, ''));
    assert.equal(forbidden.type, 'AccessDenied');
  });

  test('a 404 ResourceNotFoundException is NotFound', () => {
    assert.equal(
      classifyAwsError(new ResourceNotFoundException({ message: 'Function not found: arn', ...meta(404) }))
        .type,
      'NotFound',
    );
  });
});

describe('classifying a webhook receiver’s answer (release notifications)', () => {
  test('5xx and 408 are Transient and 429 is Throttled with its Retry-After: all retried', () => {
    for (const status of [500, 502, 503, 504, 408]) {
      const classified = classifyWebhookStatus(status);
      assert.equal(classified.type, 'Transient', `HTTP ${status}`);
      assert.ok(isRetryable(classified.type));
    }
    const throttled = classifyWebhookStatus(429, '7');
    assert.equal(throttled.type, 'Throttled');
    assert.equal(throttled.retryAfterMs, 7000);
  });

  test('any other 4xx (or a redirect) is the receiver refusing the event: InvalidRequest, given up', () => {
    for (const status of [301, 302, 400, 401, 403, 404, 410, 413, 422]) {
      const classified = classifyWebhookStatus(status);
      assert.equal(classified.type, 'InvalidRequest', `HTTP ${status}`);
      assert.ok(!isRetryable(classified.type));
      assert.match(classified.message, new RegExp(`HTTP ${status}`));
    }
  });

  test('a request that got no answer (refused, timed out) is Transient', () => {
    const refused = new TypeError('fetch failed', {
      cause: Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:9'), { code: 'ECONNREFUSED' }),
    });
    assert.equal(classifyAwsError(refused).type, 'Transient');
    for (const code of [
      'EHOSTUNREACH',
      'ENETUNREACH',
      'UND_ERR_CONNECT_TIMEOUT',
      'UND_ERR_HEADERS_TIMEOUT',
    ]) {
      const error = new TypeError('fetch failed', { cause: Object.assign(new Error(code), { code }) });
      assert.equal(classifyAwsError(error).type, 'Transient', code);
    }
    assert.equal(
      classifyAwsError(new DOMException('The operation timed out.', 'TimeoutError')).type,
      'Transient',
    );
  });
});
