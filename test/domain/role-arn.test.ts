import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseTargetAccounts } from '../../src/domain/lambda-budget.ts';
import { accountOfRoleArn, roleFieldsOf, roleSessionNameOf } from '../../src/domain/role-arn.ts';
import { validateReleaseSpec } from '../../src/domain/spec.ts';

const sessionNameRule = /^[\w+=,.@-]{2,64}$/;

test('a release id that fits is its own STS session name; a longer one is shortened, kept unique and deterministic', () => {
  const short = 'us-east-1.orders.live.0196b0a5-1c2d-7e3f-8a9b-0c1d2e3f4a5b';
  assert.equal(roleSessionNameOf(short), short);
  const long = `us-east-1.${'f'.repeat(64)}.${'a'.repeat(128)}.0196b0a5-1c2d-7e3f-8a9b-0c1d2e3f4a5b`;
  const other = long.replace(/5b$/, '5c');
  const name = roleSessionNameOf(long);
  assert.match(name, sessionNameRule);
  assert.equal(name.length, 64);
  assert.ok(name.endsWith('0c1d2e3f4a5b'), 'keeps the end of the run id');
  assert.equal(roleSessionNameOf(long), name, 'deterministic');
  assert.notEqual(roleSessionNameOf(other), name, 'another release, another name');
  assert.match(roleSessionNameOf('a'), sessionNameRule);
  assert.match(roleSessionNameOf('train/with spaces:and*stars'), sessionNameRule);
});

test('the account of a role ARN, with or without a path; role fields only when there is a role', () => {
  assert.equal(accountOfRoleArn('arn:aws:iam::222222222222:role/ramp-deployer'), '222222222222');
  assert.equal(accountOfRoleArn('arn:aws-us-gov:iam::333333333333:role/team/ci/deployer'), '333333333333');
  assert.equal(accountOfRoleArn('arn:aws:iam::222222222222:user/ramp'), undefined);
  assert.deepEqual(roleFieldsOf({}), {});
  assert.deepEqual(roleFieldsOf({ roleArn: 'r', externalId: 'e' }), { roleArn: 'r', externalId: 'e' });
});

test('RAMP_TARGET_ACCOUNTS takes account ids or role ARNs, once each', () => {
  assert.deepEqual(
    parseTargetAccounts(' 222222222222, arn:aws:iam::333333333333:role/deployer ,222222222222,'),
    { ok: true, accounts: ['222222222222', '333333333333'] },
  );
  assert.deepEqual(parseTargetAccounts(''), { ok: true, accounts: [] });
  const bad = parseTargetAccounts('22222');
  assert.equal(bad.ok, false);
  assert.match(bad.ok ? '' : bad.problem, /"22222" is neither/);
});

test('a spec without roleArn is unchanged; roleArn and externalId are validated', () => {
  const base = { function: 'orders', alias: 'live', version: '3' };
  const plain = validateReleaseSpec(base);
  assert.ok(plain.ok);
  assert.equal('roleArn' in plain.spec, false);
  const withRole = validateReleaseSpec({
    ...base,
    roleArn: 'arn:aws:iam::222222222222:role/ramp-deployer',
    externalId: 'ramp-2026',
  });
  assert.ok(withRole.ok);
  assert.equal(withRole.spec.roleArn, 'arn:aws:iam::222222222222:role/ramp-deployer');
  const same = validateReleaseSpec({
    ...base,
    function: 'arn:aws:lambda:us-east-1:222222222222:function:orders',
    roleArn: 'arn:aws:iam::222222222222:role/ramp-deployer',
  });
  assert.ok(same.ok, 'a function ARN in the role’s account');
});
