/**
 * Least privilege, checked against the code: docs/iam/worker-policy.json grants exactly the IAM actions of the AWS
 * operations Ramp's source sends (test/tooling/iam-actions.ts finds them), no more and no fewer, with no wildcard
 * in any action; the target-account role's policy grants what a release in that account needs and nothing else.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, test } from 'node:test';
import {
  awsOperationsOf,
  iamActionsOf,
  type PolicyDocument,
  policyActions,
  policyProblems,
  rampSources,
  type SourceFile,
} from './iam-actions.ts';

const root = new URL('../..', import.meta.url).pathname;
const readPolicy = (name: string) =>
  JSON.parse(readFileSync(`${root}docs/iam/${name}`, 'utf8')) as PolicyDocument;
const workerPolicy = readPolicy('worker-policy.json');
const sources = rampSources(root);

describe('the worker’s IAM policy', () => {
  test('grants every action the code needs and none it does not use, with no wildcard action', () => {
    assert.deepEqual(policyProblems(sources, workerPolicy), []);
  });

  test('the scan finds the calls it must (so an empty scan cannot pass)', () => {
    const { operations } = awsOperationsOf(sources);
    const found = new Set(operations.map((op) => `${op.service}:${op.operation}`));
    for (const expected of [
      'lambda:UpdateFunctionCode',
      'lambda:UpdateAlias',
      'cloudwatch:GetMetricData',
      's3:HeadObject',
      'sts:AssumeRole',
    ])
      assert.ok(found.has(expected), `${expected} found`);
  });

  test('scopes the Lambda actions to function ARNs and names every statement', () => {
    for (const statement of workerPolicy.Statement) {
      assert.ok(statement.Sid, 'each statement says what it is for');
      const actions = Array.isArray(statement.Action) ? statement.Action : [statement.Action];
      if (actions.some((action) => action.startsWith('lambda:')))
        assert.equal(statement.Resource, 'arn:aws:lambda:*:*:function:*');
      if (actions.some((action) => action.startsWith('sts:')))
        assert.match(String(statement.Resource), /^arn:aws:iam::\*:role\//);
    }
  });

  test('fails when the code sends a call the policy does not list, or the policy lists one the code never sends', () => {
    const extraCall: SourceFile = {
      path: 'src/activities/delete-everything.ts',
      text: "import { DeleteFunctionCommand, LambdaClient } from '@aws-sdk/client-lambda';\nexport const go = (l: LambdaClient) => l.send(new DeleteFunctionCommand({ FunctionName: 'x' }));\n",
    };
    assert.deepEqual(policyProblems([...sources, extraCall], workerPolicy), [
      'lambda:DeleteFunction is not in the policy (needed by DeleteFunction in src/activities/delete-everything.ts)',
    ]);
    const broader: PolicyDocument = {
      ...workerPolicy,
      Statement: [
        ...workerPolicy.Statement,
        { Effect: 'Allow', Action: ['lambda:DeleteFunction', 'lambda:*'], Resource: '*' },
      ],
    };
    assert.deepEqual(policyProblems(sources, broader), [
      'lambda:DeleteFunction is granted but the code never uses it',
      'lambda:*: no wildcard in an action',
    ]);
    const unmapped: SourceFile = {
      path: 'src/x.ts',
      text: "import { waitUntilFunctionExists } from '@aws-sdk/client-lambda';\n",
    };
    assert.match(policyProblems([...sources, unmapped], workerPolicy).join('\n'), /waitUntilFunctionExists/);
    const hidden: SourceFile = {
      path: 'src/y.ts',
      text: "import * as lambda from '@aws-sdk/client-lambda';\nconst s3 = await import('@aws-sdk/client-s3');\n",
    };
    assert.deepEqual(policyProblems([...sources, hidden], workerPolicy), [
      'an SDK helper sends requests the table does not know: src/y.ts: an @aws-sdk reference the scan cannot read (use named imports)',
      'an SDK helper sends requests the table does not know: src/y.ts: an @aws-sdk reference the scan cannot read (use named imports)',
    ]);
  });

  test('operations map to the IAM actions AWS authorizes them as', () => {
    const actions = (service: string, operation: string) => iamActionsOf({ service, operation, path: '' });
    assert.deepEqual(actions('lambda', 'Invoke'), ['lambda:InvokeFunction']);
    assert.deepEqual(actions('s3', 'HeadObject'), ['s3:GetObject', 's3:GetObjectVersion', 's3:ListBucket']);
    assert.deepEqual(actions('sts', 'GetCallerIdentity'), []);
    assert.deepEqual(actions('lambda', 'UpdateFunctionCode'), ['lambda:UpdateFunctionCode']);
  });
});

describe('the target-account role', () => {
  test('its policy grants what a release in the account needs (Lambda, CloudWatch, S3 code) and nothing else', () => {
    const granted = policyActions(readPolicy('target-role-policy.json'));
    const needed = new Set(awsOperationsOf(sources).operations.flatMap(iamActionsOf));
    for (const action of granted) {
      assert.ok(needed.has(action), `${action} is used by the code`);
      assert.ok(!action.includes('*'));
    }
    for (const action of needed) {
      if (action.startsWith('lambda:') || action.startsWith('cloudwatch:'))
        assert.ok(granted.includes(action), `${action} granted to the role`);
    }
    assert.ok(!granted.includes('sts:AssumeRole') && !granted.includes('s3:PutObject'), 'the worker’s own');
  });

  test('its trust policy lets the worker assume it only with the ExternalId', () => {
    const trust = JSON.parse(readFileSync(`${root}docs/iam/target-role-trust-policy.json`, 'utf8')) as {
      Statement: {
        Action: string;
        Principal: { AWS: string };
        Condition: Record<string, Record<string, string>>;
      }[];
    };
    const [statement] = trust.Statement;
    assert.equal(statement?.Action, 'sts:AssumeRole');
    assert.match(statement?.Principal.AWS ?? '', /^arn:aws:iam::\d{12}:role\//);
    assert.ok(statement?.Condition.StringEquals?.['sts:ExternalId']);
  });
});
