/**
 * R7: every route × scope × function pattern of the auth matrix against the real API, with a release
 * running on a function each pattern covers and one it does not. A call the matrix refuses must answer
 * 401/403 and leave no effect: no workflow started, no change to the running release, no data returned.
 */
import { writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { authorize, loadAuthConfig, type Principal, type Scope } from '../../../src/api/auth.ts';
import { createApiServer } from '../../../src/api/server.ts';
import { controlActions } from '../../../src/domain/release-state.ts';
import { type RunningRelease, startChaosStack } from '../chaos-stack.ts';
import type { ScenarioResult } from '../drive.ts';
import type { Breach } from '../invariants.ts';
import type { ScenarioContext } from './context.ts';

interface Caller {
  name: string;
  token: string | undefined;
  principal: Principal | undefined;
}

const scopeSets: Scope[][] = [
  ['read'],
  ['release'],
  ['operate'],
  ['release', 'read'],
  ['operate', 'read'],
  ['admin'],
];

export async function runR7(context: ScenarioContext): Promise<ScenarioResult> {
  const startedAt = Date.now();
  const stack = await startChaosStack({
    temporalAddress: context.temporalAddress,
    namespace: context.namespace,
    seed: context.seed,
    taskQueue: `${context.runId}-r7`,
  });
  const team = `payments-${context.runId}`;
  const other = `auth-${context.runId}`;
  const callers: Caller[] = [
    { name: 'no token', token: undefined, principal: undefined },
    { name: 'unknown token', token: 'not-a-token-anyone-was-given', principal: undefined },
  ];
  const tokens = scopeSets.flatMap((scopes, index) =>
    [['payments-*'], ['*']].map((functions, patternIndex) => {
      const name = `${scopes.join('+')} on ${functions.join(',')}`;
      const token = `chaos-r7-token-${index}-${patternIndex}-0123456789`;
      callers.push({ name, token, principal: { name, scopes, functions } });
      return { name, token, scopes, functions };
    }),
  );
  const tokensFile = join(tmpdir(), `${context.runId}-r7-tokens.json`);
  writeFileSync(tokensFile, JSON.stringify({ tokens }));
  let app: FastifyInstance | undefined;
  let starts = 0;
  const breaches: Breach[] = [];
  const outcomes: Record<string, number> = {};
  try {
    app = await createApiServer({
      releases: {
        ...stack.releases,
        start: (...args) => {
          starts++;
          return stack.releases.start(...args);
        },
      },
      auth: loadAuthConfig({ tokensFile }),
      isReady: async () => true,
      audit: () => {},
    });
    const running = new Map<string, RunningRelease>();
    for (const functionName of [team, other]) {
      const release = await stack.prepare({
        functionName,
        codeKind: 'zip',
        hasAlias: true,
        steps: [{ weight: 10, bake: '30m' }],
        isCandidateBad: false,
      });
      await stack.start(release);
      running.set(functionName, release);
    }
    // The matrix runs while both releases bake, so nothing but a control call could change these.
    for (const release of running.values()) {
      const deadline = Date.now() + 60_000;
      while ((await stack.releases.status(release.releaseId)).phase !== 'baking' && Date.now() < deadline) {
        await new Promise((resolve) => setTimeout(resolve, 250));
      }
    }
    const fingerprint = async (release: RunningRelease) => {
      const status = await stack.releases.status(release.releaseId);
      const controls = status.timeline.filter((entry) => !entry.event.startsWith('health'));
      return JSON.stringify([
        status.phase,
        status.outcome,
        status.isPaused,
        status.awaitingApproval,
        status.candidateWeightPercent,
        status.stepIndex,
        controls.length,
      ]);
    };
    let cells = 0;
    for (const caller of callers) {
      for (const functionName of [team, other]) {
        const release = running.get(functionName) as RunningRelease;
        const routes: { method: 'GET' | 'POST'; url: string; scope: Scope; body?: unknown }[] = [
          {
            method: 'POST',
            url: '/v1/releases',
            scope: 'release',
            body: {
              function: functionName,
              alias: `r7-${cells}`,
              code: { zipFile: 'UEsFBgAAAAAAAAAAAAAAAAAAAAAAAA==' },
            },
          },
          { method: 'GET', url: `/v1/releases?function=${functionName}`, scope: 'read' },
          { method: 'GET', url: `/v1/releases/${release.releaseId}`, scope: 'read' },
          { method: 'GET', url: `/v1/releases/${release.releaseId}/events`, scope: 'read' },
          ...controlActions.map((action) => ({
            method: 'POST' as const,
            url: `/v1/releases/${release.releaseId}/${action}`,
            scope: 'operate' as const,
            body: { reason: 'chaos R7' },
          })),
        ];
        for (const route of routes) {
          cells++;
          const isAllowed =
            caller.principal !== undefined && authorize(caller.principal, route.scope, functionName).ok;
          // Only refused calls are made: an allowed abort would end the release the next cells need.
          if (isAllowed) {
            outcomes['allowed (not sent)'] = (outcomes['allowed (not sent)'] ?? 0) + 1;
            continue;
          }
          const before = await fingerprint(release);
          const startsBefore = starts;
          const response = await app.inject({
            method: route.method,
            url: route.url,
            headers: {
              ...(caller.token ? { authorization: `Bearer ${caller.token}` } : {}),
              ...(route.body ? { 'content-type': 'application/json' } : {}),
            },
            ...(route.body ? { payload: JSON.stringify(route.body) } : {}),
          });
          const label = `refused ${response.statusCode}`;
          outcomes[label] = (outcomes[label] ?? 0) + 1;
          const where = `${caller.name} ${route.method} ${route.url.replace(release.releaseId, '{id}')}`;
          const effect = (message: string) => breaches.push({ invariant: 'R7', releaseId: where, message });
          const isListWithoutIt =
            route.url.startsWith('/v1/releases?') && !response.body.includes(release.releaseId);
          if (
            response.statusCode !== 401 &&
            response.statusCode !== 403 &&
            !(response.statusCode === 200 && isListWithoutIt)
          ) {
            effect(`answered ${response.statusCode}, not 401/403: ${response.body.slice(0, 160)}`);
          }
          if (starts !== startsBefore) effect('started a release');
          if ((await fingerprint(release)) !== before) effect('changed the running release');
          if (response.statusCode < 300 && !isListWithoutIt) effect('returned the release');
        }
      }
    }
    const touched = stack.sim
      .calls()
      .filter((call) => call.operation !== 'Invoke' && call.qualifier?.startsWith('r7-'));
    for (const call of touched) {
      breaches.push({
        invariant: 'R7',
        releaseId: call.functionName ?? '?',
        message: `${call.operation} reached Lambda for a refused start`,
      });
    }
    for (const release of running.values()) {
      release.stopTraffic();
      await stack.releases
        .control(release.releaseId, 'abort', { by: 'chaos R7', reason: 'cleanup' })
        .catch(() => undefined);
    }
    return {
      scenario: 'R7 auth matrix',
      releases: running.size,
      outcomes,
      breaches,
      durationMs: Date.now() - startedAt,
      notes: [
        `${callers.length} callers × 2 functions × ${4 + controlActions.length} routes = ${cells} cells; only the cells the matrix refuses are sent (an allowed abort would end the release later cells need)`,
      ],
    };
  } finally {
    await app?.close();
    await stack.close();
  }
}
