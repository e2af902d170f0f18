import assert from 'node:assert/strict';
import type { AddressInfo } from 'node:net';
import { describe, test } from 'node:test';
import { GetAliasCommand } from '@aws-sdk/client-lambda';
import { loadAuthConfig } from '../../src/api/auth.ts';
import { createApiServer } from '../../src/api/server.ts';
import type { ReleaseStatus } from '../../src/domain/release-status.ts';
import { type ApiStack, withApiStack } from '../helpers/api-stack.ts';
import { withReleaseStack, zipBase64 } from '../helpers/release-stack.ts';
import { uniqueName } from '../helpers/temporal.ts';
import { eventually } from '../helpers/wait-for.ts';

// The whole path a CI pipeline takes: real HTTP to the API, Temporal, the worker, the real SDK, the simulator.
async function listen(api: ApiStack): Promise<string> {
  await api.app.listen({ host: '127.0.0.1', port: 0 });
  return `http://127.0.0.1:${(api.app.server.address() as AddressInfo).port}`;
}

async function post(base: string, path: string, body: unknown, headers: Record<string, string> = {}) {
  const response = await fetch(`${base}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify(body),
  });
  return {
    status: response.status,
    json: (await response.json()) as Record<string, unknown> & {
      error?: { type: string; message: string; [key: string]: unknown };
    },
  };
}

/** Reads the SSE stream until `event: end`; returns every status event. */
async function followEvents(
  base: string,
  id: string,
): Promise<{ statuses: ReleaseStatus[]; end: { outcome: string } }> {
  const response = await fetch(`${base}/v1/releases/${id}/events`);
  assert.equal(response.status, 200);
  assert.match(response.headers.get('content-type') ?? '', /text\/event-stream/);
  const decoder = new TextDecoder();
  let buffer = '';
  const statuses: ReleaseStatus[] = [];
  for await (const chunk of response.body as unknown as AsyncIterable<Uint8Array>) {
    buffer += decoder.decode(chunk, { stream: true });
    let boundary = buffer.indexOf('\n\n');
    while (boundary >= 0) {
      const frame = buffer.slice(0, boundary);
      buffer = buffer.slice(boundary + 2);
      boundary = buffer.indexOf('\n\n');
      const event = /^event: (.+)$/m.exec(frame)?.[1];
      const data = /^data: (.+)$/m.exec(frame)?.[1];
      if (!event || !data) continue;
      if (event === 'status') statuses.push(JSON.parse(data) as ReleaseStatus);
      if (event === 'end') return { statuses, end: JSON.parse(data) as { outcome: string } };
    }
  }
  throw new Error('the event stream ended without an end event');
}

async function until(
  base: string,
  id: string,
  predicate: (s: ReleaseStatus) => boolean,
): Promise<ReleaseStatus> {
  const read = async () => (await (await fetch(`${base}/v1/releases/${id}`)).json()) as ReleaseStatus;
  const status = await eventually(read, predicate, 20_000, 50);
  if (!predicate(status)) throw new Error(`timed out; last status ${JSON.stringify(status)}`);
  return status;
}

describe('releases over HTTP against the whole stack', () => {
  test('a canary with no health checks is warned about in the 202; promote moves one step, promote {full} goes to 100%', async () => {
    await withApiStack({}, async (api) => {
      const base = await listen(api);
      const fn = uniqueName('promotehttp');
      await api.stack.createFunctionWithAlias(fn, 'live');
      const started = await post(base, '/v1/releases', {
        function: fn,
        alias: 'live',
        code: { zipFile: zipBase64() },
        strategy: {
          steps: [
            { weight: 10, bake: '1h' },
            { weight: 30, bake: '1h' },
            { weight: 60, bake: '1h' },
          ],
        },
      });
      assert.equal(started.status, 202);
      assert.match(String((started.json.warnings as string[] | undefined)?.[0]), /no health checks/);
      const id = String(started.json.id);

      await until(base, id, (s) => s.phase === 'baking' && s.stepIndex === 0);
      assert.equal((await post(base, `/v1/releases/${id}/promote`, {})).status, 200);
      await until(base, id, (s) => s.phase === 'baking' && s.stepIndex === 1);
      const full = await post(base, `/v1/releases/${id}/promote`, { full: true, reason: 'looks good' });
      assert.equal(full.status, 200);
      const done = await until(base, id, (s) => s.outcome !== null);
      assert.equal(done.outcome, 'succeeded');
      assert.ok(done.timeline.some((e) => e.event === 'promote_early'));
      assert.equal((await post(base, `/v1/releases/${id}/promote`, { full: 'yes' })).status, 400);
    });
  });

  test('a release started over HTTP is followed over SSE to the end, and the alias serves the new version', async () => {
    await withApiStack({}, async (api) => {
      const base = await listen(api);
      const fn = uniqueName('http');
      await api.stack.createFunctionWithAlias(fn, 'live');

      const started = await post(base, '/v1/releases', {
        function: fn,
        alias: 'live',
        code: { zipFile: zipBase64() },
        strategy: { steps: [{ weight: 20, bake: '200ms' }] },
      });
      assert.equal(started.status, 202);
      const id = String(started.json.id);
      assert.equal((started.json.links as { self: string }).self, `${base}/v1/releases/${id}`);
      const { statuses, end } = await followEvents(base, id);

      assert.equal(end.outcome, 'succeeded');
      assert.ok(
        statuses.some((s) => s.phase === 'baking' && s.candidateWeightPercent === 20),
        'progress was streamed',
      );
      const final = statuses.at(-1);
      const alias = await api.stack.lambda.send(new GetAliasCommand({ FunctionName: fn, Name: 'live' }));
      assert.equal(alias.FunctionVersion, final?.candidateVersion);
      const candidate = String(final?.candidateVersion);
      assert.deepEqual(
        api.stack.sim
          .aliasHistory(fn, 'live')
          .slice(1)
          .map((state) => [state.functionVersion, state.additionalVersionWeights]),
        [
          [final?.stableVersion, { [candidate]: 0.2 }],
          [candidate, {}],
        ],
        'the simulator saw 20% on the candidate, then all traffic on it',
      );
      // Temporal's visibility is eventually consistent: the list catches up within moments.
      const listed = await eventually(
        async () =>
          (await (await fetch(`${base}/v1/releases?function=${fn}`)).json()) as {
            releases: { releaseId: string }[];
          },
        (page) => page.releases.some((r) => r.releaseId === id),
        10_000,
        200,
      );
      assert.ok(
        listed.releases.some((r) => r.releaseId === id),
        'the release is listed from Temporal visibility',
      );
    });
  });

  test('pause, resume, approve, promote and abort work over HTTP, and a refused action is a 409 with the reason', async () => {
    await withApiStack({}, async (api) => {
      const base = await listen(api);
      const fn = uniqueName('ops');
      const { stableVersion } = await api.stack.createFunctionWithAlias(fn, 'live');
      const spec = { function: fn, alias: 'live', code: { zipFile: zipBase64() } };

      const first = String(
        (
          await post(base, '/v1/releases', {
            ...spec,
            strategy: {
              steps: [
                { weight: 10, bake: '200ms', approval: true },
                { weight: 50, bake: '1h' },
              ],
            },
          })
        ).json.id,
      );
      await until(base, first, (s) => s.awaitingApproval);
      const paused = await post(base, `/v1/releases/${first}/pause`, { reason: 'looking' });
      assert.equal(paused.status, 200);
      assert.equal((paused.json as unknown as ReleaseStatus).isPaused, true);
      assert.equal((await post(base, `/v1/releases/${first}/resume`, {})).status, 200);
      assert.equal((await post(base, `/v1/releases/${first}/approve`, {})).status, 200);
      await until(base, first, (s) => s.stepIndex === 1 && s.phase === 'baking');
      const refused = await post(base, `/v1/releases/${first}/approve`, {});
      assert.equal(refused.status, 409);
      assert.match(refused.json.error?.message ?? '', /not waiting for an approval/);
      const duplicate = await post(base, '/v1/releases', { ...spec, strategy: 'AllAtOnce' });
      assert.equal(duplicate.status, 409);
      assert.equal(duplicate.json.error?.type, 'AlreadyRunning');
      assert.equal(duplicate.json.error?.runningReleaseId, first);
      assert.equal((await post(base, `/v1/releases/${first}/promote`, {})).status, 200);
      assert.equal((await until(base, first, (s) => s.outcome !== null)).outcome, 'succeeded');

      const second = String(
        (
          await post(base, '/v1/releases', {
            ...spec,
            code: { zipFile: zipBase64() },
            strategy: { steps: [{ weight: 30, bake: '1h' }] },
          })
        ).json.id,
      );
      await until(base, second, (s) => s.phase === 'baking');
      assert.equal((await post(base, `/v1/releases/${second}/abort`, { reason: 'bad build' })).status, 200);
      const aborted = await until(base, second, (s) => s.outcome !== null);
      assert.equal(aborted.outcome, 'rolled_back');
      const alias = await api.stack.lambda.send(new GetAliasCommand({ FunctionName: fn, Name: 'live' }));
      assert.notEqual(alias.FunctionVersion, stableVersion, 'back on the version the first release promoted');
      assert.equal(alias.FunctionVersion, (await until(base, first, () => true)).candidateVersion);
      assert.equal(
        (await post(base, `/v1/releases/${second}/resume`, {})).status,
        409,
        'an ended release refuses control',
      );
      assert.ok(api.audit.some((e) => e.action === 'abort' && e.releaseId === second && e.status === 200));
      const metrics = await (await fetch(`${base}/metrics`)).text();
      assert.match(
        metrics,
        /ramp_alias_write_duration_seconds_count\{purpose="roll"\} [1-9]/,
        'rollback durations are measured',
      );
      assert.match(metrics, /ramp_releases_started_total [1-9]/);
    });
  });

  test('a retried request with the same Idempotency-Key returns the same release and starts nothing new', async () => {
    await withApiStack({}, async (api) => {
      const base = await listen(api);
      const fn = uniqueName('idem-http');
      await api.stack.createFunctionWithAlias(fn, 'live');
      const spec = {
        function: fn,
        alias: 'live',
        code: { zipFile: zipBase64() },
        strategy: { steps: [{ weight: 10, bake: '1h' }] },
      };

      const first = await post(base, '/v1/releases', spec, { 'idempotency-key': 'pipeline-981' });
      const retry = await post(base, '/v1/releases', spec, { 'idempotency-key': 'pipeline-981' });

      assert.equal(first.status, 202);
      assert.equal(retry.status, 200);
      assert.equal(retry.json.id, first.json.id);
      await until(base, String(first.json.id), (s) => s.phase === 'baking');
      assert.equal(
        api.stack.sim.calls().filter((c) => c.operation === 'UpdateFunctionCode' && c.functionName === fn)
          .length,
        1,
      );
      await post(base, `/v1/releases/${String(first.json.id)}/abort`, {});
      await until(base, String(first.json.id), (s) => s.outcome !== null);
    });
  });

  test('listing pages through releases with nextPageToken, and refuses a token from another query', async () => {
    await withApiStack({}, async (api) => {
      const base = await listen(api);
      const fn = uniqueName('pages');
      await api.stack.createFunctionWithAlias(fn, 'live');
      const ids: string[] = [];
      for (let i = 0; i < 3; i++) {
        const started = await post(base, '/v1/releases', {
          function: fn,
          alias: 'live',
          code: { zipFile: zipBase64() },
          strategy: 'AllAtOnce',
        });
        ids.push(String(started.json.id));
        await until(base, String(started.json.id), (s) => s.outcome !== null);
      }
      type Page = { releases: { releaseId: string; outcome: string | null }[]; nextPageToken: string | null };
      const list = async (query: string) => {
        const response = await fetch(`${base}/v1/releases?${query}`);
        return {
          status: response.status,
          body: (await response.json()) as Page & { error?: { problems: unknown } },
        };
      };
      const succeeded = await eventually(
        () => list(`function=${fn}&outcome=succeeded`),
        (page) => page.body.releases.length >= 3,
        15_000,
        200,
      );
      assert.equal(succeeded.body.releases.length, 3, 'visibility lists the three releases');

      const first = await list(`function=${fn}&pageSize=2`);
      const token = first.body.nextPageToken ?? '';
      const second = await list(`function=${fn}&pageSize=2&pageToken=${token}`);
      const otherQuery = await list(`function=${fn}&alias=live&pageSize=2&pageToken=${token}`);
      const tampered = await list(`function=${fn}&pageSize=2&pageToken=x${token}`);

      assert.equal(first.body.releases.length, 2);
      assert.ok(token);
      assert.equal(second.body.releases.length, 1);
      assert.equal(second.body.nextPageToken, null);
      assert.deepEqual(
        [...first.body.releases, ...second.body.releases].map((r) => r.releaseId).sort(),
        [...ids].sort(),
      );
      assert.equal(otherQuery.status, 400);
      assert.equal(tampered.status, 400);
      assert.match(JSON.stringify(tampered.body.error?.problems), /pageToken/);
    });
  });

  test('closing the server ends open event streams instead of waiting for their releases to end', async () => {
    await withReleaseStack({}, async (stack) => {
      const app = await createApiServer({
        releases: stack.releases,
        auth: loadAuthConfig({}),
        isReady: async () => true,
        audit: () => {},
        eventPollMs: 100,
      });
      await app.listen({ host: '127.0.0.1', port: 0 });
      const base = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;
      const fn = uniqueName('sse-close');
      await stack.createFunctionWithAlias(fn, 'live');
      const id = String(
        (
          await post(base, '/v1/releases', {
            function: fn,
            alias: 'live',
            code: { zipFile: zipBase64() },
            strategy: { steps: [{ weight: 10, bake: '1h' }] },
          })
        ).json.id,
      );
      const response = await fetch(`${base}/v1/releases/${id}/events`);
      const reader = (response.body as ReadableStream<Uint8Array>).getReader();
      let text = new TextDecoder().decode((await reader.read()).value);

      await app.close();
      for (let chunk = await reader.read(); !chunk.done; chunk = await reader.read())
        text += new TextDecoder().decode(chunk.value);

      assert.match(text, /^retry: \d+/m, 'tells EventSource clients when to reconnect');
      assert.doesNotMatch(text, /event: end/, 'the release did not end; the stream just closed');
      assert.equal((await stack.releases.status(id)).outcome, null, 'the release runs on');
      await stack.releases.control(id, 'abort');
    });
  });
});
