import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ApplicationFailure } from '@temporalio/common';
import { loadAuthConfig } from '../../src/api/auth.ts';
import { createApiServer } from '../../src/api/server.ts';
import { temporalLoggerOf } from '../../src/observability/logger.ts';
import { captureLogger } from '../helpers/log-capture.ts';

test('the logger writes JSON lines at RAMP_LOG_LEVEL and below it writes nothing', () => {
  const { logger, lines } = captureLogger('warn');
  logger.info('not at warn');
  logger.warn({ releaseId: 'r1' }, 'kept');
  assert.deepEqual(
    lines().map((line) => [line.level, line.msg, line.releaseId]),
    [['warn', 'kept', 'r1']],
  );
});

test('tokens and secrets never reach a line, even inside a logged header object', () => {
  const { logger, lines } = captureLogger();
  logger.info(
    {
      headers: { authorization: 'Bearer secret-token-123' },
      apiKey: 'key-456',
      credentials: { secretAccessKey: 'sk-789' },
    },
    'request',
  );
  const text = JSON.stringify(lines());
  for (const secret of ['secret-token-123', 'key-456', 'sk-789']) assert.ok(!text.includes(secret), text);
});

test('an expected failure (a typed ApplicationFailure) logs one line with its type and message, no stack', () => {
  const { logger, lines } = captureLogger();
  const conflict = ApplicationFailure.nonRetryable('someone else changed the alias', 'Conflict');
  temporalLoggerOf(logger).warn('Activity failed', {
    error: new Error('activity task failed', { cause: conflict }),
  });
  temporalLoggerOf(logger).error('bug', { error: new TypeError('x is not a function') });
  const [expected, bug] = lines();
  assert.deepEqual(expected?.error, { type: 'Conflict', message: 'someone else changed the alias' });
  assert.ok(!JSON.stringify(expected).includes('    at '), 'no stack for an expected outcome');
  assert.match(
    String((bug?.error as { stack?: string } | undefined)?.stack),
    /TypeError: x is not a function/,
  );
});

test('the API logs a refused request as one line and never logs the bearer token', async () => {
  const { logger, lines } = captureLogger();
  const app = await createApiServer({
    releases: {} as never,
    auth: loadAuthConfig({ adminToken: 'admin-token-0123456789' }),
    isReady: async () => true,
    logger,
  });
  await app.inject({
    method: 'POST',
    url: '/v1/releases',
    headers: { authorization: 'Bearer admin-token-0123456789', 'content-type': 'application/json' },
    payload: JSON.stringify({ function: 'orders', alias: 'live', code: { zipFile: 'not base64!' } }),
  });
  await app.close();
  const refused = lines().filter((line) => line.msg === 'request refused');
  assert.equal(refused.length, 1);
  assert.equal(refused[0]?.type, 'InvalidSpec');
  assert.match(String(refused[0]?.message), /zipFile/);
  assert.ok(!JSON.stringify(lines()).includes('admin-token-0123456789'));
});
