import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  CreateAliasCommand,
  CreateFunctionCommand,
  DeleteFunctionCommand,
  GetFunctionCommand,
  GetFunctionConfigurationCommand,
  InvalidParameterValueException,
  type LambdaClient,
  LambdaServiceException,
  PublishVersionCommand,
  ResourceConflictException,
  ResourceNotFoundException,
  UpdateAliasCommand,
  UpdateFunctionCodeCommand,
  waitUntilFunctionUpdatedV2,
} from '@aws-sdk/client-lambda';
import { createCanary, role, TestClock, withSim, zipOf } from './fixtures.ts';

const clock = new TestClock();

const arn = (suffix: string) => `arn:aws:lambda:us-east-1:123456789012:function:${suffix}`;
const validation = (value: string, field: string, constraint: string) =>
  `1 validation error detected: Value '${value}' at '${field}' failed to satisfy constraint: ${constraint}`;
const weightConstraint =
  'Map value must satisfy constraint: [Member must have value less than or equal to 1.0, Member must have value greater than or equal to 0.0, Member must not be null]';

interface ErrorCase {
  call: (lambda: LambdaClient) => Promise<unknown>;
  /** An SDK exception class, or the error name of an unmodeled error (a LambdaServiceException). */
  expected: (new (...args: never[]) => LambdaServiceException) | string;
  status: number;
  message: string | RegExp;
}

/** Each recorded AWS error, driven through the real SDK against function `f` (versions 1 and 2, alias live). */
const cases: Record<string, ErrorCase> = {
  'an alias on $LATEST cannot route to a second version': {
    call: (l) =>
      l.send(
        new CreateAliasCommand({
          FunctionName: 'f',
          Name: 'edge',
          FunctionVersion: '$LATEST',
          RoutingConfig: { AdditionalVersionWeights: { '1': 0.5 } },
        }),
      ),
    expected: InvalidParameterValueException,
    status: 400,
    message: '$LATEST is not supported for an alias pointing to more than 1 version',
  },
  '$LATEST cannot be the additional version': {
    call: (l) =>
      l.send(
        new UpdateAliasCommand({
          FunctionName: 'f',
          Name: 'live',
          RoutingConfig: { AdditionalVersionWeights: { $LATEST: 0.5 } },
        }),
      ),
    expected: 'ValidationException',
    status: 400,
    message: validation(
      '{$LATEST=0.5}',
      'routingConfig.additionalVersionWeights',
      'Map keys must satisfy constraint: [Member must have length less than or equal to 1024, Member must have length greater than or equal to 1, Member must satisfy regular expression pattern: [0-9]+]',
    ),
  },
  'a negative weight is a validation error': {
    call: (l) =>
      l.send(
        new UpdateAliasCommand({
          FunctionName: 'f',
          Name: 'live',
          RoutingConfig: { AdditionalVersionWeights: { '2': -1 } },
        }),
      ),
    expected: 'ValidationException',
    status: 400,
    message: validation('{2=-1.0}', 'routingConfig.additionalVersionWeights', weightConstraint),
  },
  'a weight above 1 is a validation error': {
    call: (l) =>
      l.send(
        new UpdateAliasCommand({
          FunctionName: 'f',
          Name: 'live',
          RoutingConfig: { AdditionalVersionWeights: { '2': 2 } },
        }),
      ),
    expected: 'ValidationException',
    status: 400,
    message: validation('{2=2.0}', 'routingConfig.additionalVersionWeights', weightConstraint),
  },
  'UpdateAlias on a missing alias is 404 Alias not found': {
    call: (l) => l.send(new UpdateAliasCommand({ FunctionName: 'f', Name: 'nope', FunctionVersion: '1' })),
    expected: ResourceNotFoundException,
    status: 404,
    message: `Alias not found: ${arn('f:nope')}`,
  },
  'CreateAlias to a version that does not exist is 404': {
    call: (l) => l.send(new CreateAliasCommand({ FunctionName: 'f', Name: 'next', FunctionVersion: '10' })),
    expected: ResourceNotFoundException,
    status: 404,
    message: `Function not found: ${arn('f:10')}`,
  },
  'a purely numeric alias name is refused': {
    call: (l) => l.send(new CreateAliasCommand({ FunctionName: 'f', Name: '2024', FunctionVersion: '1' })),
    expected: 'ValidationException',
    status: 400,
    message: validation(
      '2024',
      'name',
      'Member must satisfy regular expression pattern: (?!^[0-9]+$)([a-zA-Z0-9-_]+)',
    ),
  },
  'a version an alias points at cannot be deleted': {
    call: (l) => l.send(new DeleteFunctionCommand({ FunctionName: 'f', Qualifier: '1' })),
    expected: ResourceConflictException,
    status: 409,
    message: 'Unable to delete version because the following aliases reference it: [live]',
  },
  '$LATEST cannot be deleted on its own': {
    call: (l) => l.send(new DeleteFunctionCommand({ FunctionName: 'f', Qualifier: '$LATEST' })),
    expected: InvalidParameterValueException,
    status: 400,
    message: '$LATEST version cannot be deleted without deleting the function.',
  },
  'an alias cannot be deleted through DeleteFunction': {
    call: (l) => l.send(new DeleteFunctionCommand({ FunctionName: 'f', Qualifier: 'live' })),
    expected: InvalidParameterValueException,
    status: 400,
    message: 'Deletion of aliases is not currently supported.',
  },
  'DeleteFunction of a missing function is 404 with the unqualified ARN': {
    call: (l) => l.send(new DeleteFunctionCommand({ FunctionName: 'ghost' })),
    expected: ResourceNotFoundException,
    status: 404,
    message: `Function not found: ${arn('ghost')}`,
  },
  'a qualifier in the name must match the Qualifier parameter': {
    call: (l) => l.send(new GetFunctionCommand({ FunctionName: 'f:1', Qualifier: '2' })),
    expected: InvalidParameterValueException,
    status: 400,
    message: 'The derived qualifier from the function name does not match the specified qualifier.',
  },
  'a version that does not exist is 404 with the qualified ARN': {
    call: (l) => l.send(new GetFunctionConfigurationCommand({ FunctionName: 'f', Qualifier: '99' })),
    expected: ResourceNotFoundException,
    status: 404,
    message: `Function not found: ${arn('f:99')}`,
  },
  '$latest in lower case is not $LATEST': {
    call: (l) => l.send(new GetFunctionCommand({ FunctionName: 'f', Qualifier: '$latest' })),
    expected: ResourceNotFoundException,
    status: 404,
    message: `Function not found: ${arn('f:$latest')}`,
  },
  'an ARN from another region is not reachable': {
    call: (l) =>
      l.send(new GetFunctionCommand({ FunctionName: 'arn:aws:lambda:eu-west-1:123456789012:function:f' })),
    expected: ResourceNotFoundException,
    status: 404,
    message: "Functions from 'eu-west-1' are not reachable in this region ('us-east-1')",
  },
  'an ARN in another account is access denied': {
    call: (l) =>
      l.send(new GetFunctionCommand({ FunctionName: 'arn:aws:lambda:us-east-1:999999999999:function:f' })),
    expected: 'AccessDeniedException',
    status: 403,
    message: /^User is not authorized/,
  },
  'a full ARN longer than 140 characters is a validation error': {
    call: (l) =>
      l.send(new UpdateFunctionCodeCommand({ FunctionName: arn('a'.repeat(100)), ZipFile: zipOf() })),
    expected: 'ValidationException',
    status: 400,
    message: validation(
      arn('a'.repeat(100)),
      'functionName',
      'Member must have length less than or equal to 140',
    ),
  },
  'a name that breaks the pattern is a validation error': {
    call: (l) => l.send(new GetFunctionCommand({ FunctionName: 'my-function!' })),
    expected: 'ValidationException',
    status: 400,
    message:
      /^1 validation error detected: Value 'my-function!' at 'functionName' failed to satisfy constraint: Member must satisfy regular expression pattern: /,
  },
  'bytes that are not a zip cannot be unzipped': {
    call: (l) =>
      l.send(
        new UpdateFunctionCodeCommand({ FunctionName: 'f', ZipFile: new TextEncoder().encode('not a zip') }),
      ),
    expected: InvalidParameterValueException,
    status: 400,
    message: 'Could not unzip uploaded file. Please check your file, then try to upload again.',
  },
  'an image URI is refused for a zip function': {
    call: (l) =>
      l.send(
        new UpdateFunctionCodeCommand({
          FunctionName: 'f',
          ImageUri: '123456789012.dkr.ecr.us-east-1.amazonaws.com/app:v2',
        }),
      ),
    expected: InvalidParameterValueException,
    status: 400,
    message: "Please don't provide ImageUri when updating a function with packageType Zip.",
  },
  'creating a function that exists is a conflict': {
    call: (l) =>
      l.send(new CreateFunctionCommand({ FunctionName: 'f', Role: role, Code: { ZipFile: zipOf() } })),
    expected: ResourceConflictException,
    status: 409,
    message: 'Function already exist: f',
  },
  'a role that is not an IAM role ARN is a validation error': {
    call: (l) =>
      l.send(
        new CreateFunctionCommand({ FunctionName: 'g', Role: 'lambda-role', Code: { ZipFile: zipOf() } }),
      ),
    expected: 'ValidationException',
    status: 400,
    message: /^1 validation error detected: Value 'lambda-role' at 'role' failed to satisfy constraint/,
  },
  'PublishVersion during an update in progress is a conflict': {
    call: async (l) => {
      // Time stands still while the update is in progress, so PublishVersion meets it on any machine.
      clock.pause();
      await l.send(new UpdateFunctionCodeCommand({ FunctionName: 'f', ZipFile: zipOf() }));
      try {
        return await l.send(new PublishVersionCommand({ FunctionName: 'f' }));
      } finally {
        clock.resume();
        await waitUntilFunctionUpdatedV2({ client: l, maxWaitTime: 10, minDelay: 1 }, { FunctionName: 'f' });
      }
    },
    expected: ResourceConflictException,
    status: 409,
    message: `The operation cannot be performed at this time. An update is in progress for resource: ${arn('f')}`,
  },
};

describe('Lambda errors as AWS records them, through the real SDK', () => {
  test('each recorded error answers with its exception class, HTTP status and message', async (t) => {
    await withSim({ clock }, async (_sim, lambda) => {
      await createCanary(lambda, 'f', {}, 0.1);
      for (const [name, { call, expected, status, message }] of Object.entries(cases)) {
        await t.test(name, async () => {
          const error = await call(lambda).then(
            () => assert.fail('the call succeeded'),
            (e: unknown) => e,
          );
          assert.ok(error instanceof LambdaServiceException, String(error));
          if (typeof expected === 'string') assert.equal(error.name, expected);
          else assert.ok(error instanceof expected, `got ${error.name}`);
          assert.equal(error.$metadata.httpStatusCode, status);
          if (typeof message === 'string') assert.equal(error.message, message);
          else assert.match(error.message, message);
        });
      }
    });
  });
});
