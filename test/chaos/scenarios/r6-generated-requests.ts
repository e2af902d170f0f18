/**
 * R6: 1,000 generated requests to POST /v1/releases, on the real API in front of the real release stack.
 * Whatever arrives: no 5xx; and for every request the spec schema refuses, no workflow started and not one
 * Lambda call about the function it named.
 */
import fc from 'fast-check';
import type { FastifyInstance } from 'fastify';
import { loadAuthConfig } from '../../../src/api/auth.ts';
import { createApiServer } from '../../../src/api/server.ts';
import { parseFunctionRef } from '../../../src/domain/lambda-names.ts';
import { parseReleaseId } from '../../../src/domain/release-id.ts';
import { validateReleaseSpec } from '../../../src/domain/spec.ts';
import { startChaosStack } from '../chaos-stack.ts';
import type { ScenarioResult } from '../drive.ts';
import type { Breach } from '../invariants.ts';
import { releaseRequestArbitrary } from '../spec-arbitrary.ts';
import type { ScenarioContext } from './context.ts';

export interface R6Options {
  requests: number;
}

export const r6Defaults: R6Options = { requests: 1000 };

function functionNameIn(body: unknown): string | undefined {
  if (typeof body !== 'object' || body === null || !('function' in body)) return undefined;
  const name = (body as { function: unknown }).function;
  if (typeof name !== 'string') return undefined;
  const ref = parseFunctionRef(name);
  return ref.ok ? ref.value.name : name;
}

/** The schema's verdict; a schema that throws instead of answering is itself a breach (the API would 5xx). */
function isValidSpec(body: unknown, index: number, breaches: Breach[]): boolean {
  try {
    return validateReleaseSpec(body).ok;
  } catch (error) {
    breaches.push({
      invariant: 'R6',
      releaseId: `request ${index}`,
      message: `validateReleaseSpec threw ${(error as Error).name}: ${(error as Error).message} for ${JSON.stringify(body).slice(0, 300)}`,
    });
    return false;
  }
}

export async function runR6(
  context: ScenarioContext,
  options: R6Options = r6Defaults,
): Promise<ScenarioResult> {
  const startedAt = Date.now();
  const stack = await startChaosStack({
    temporalAddress: context.temporalAddress,
    namespace: context.namespace,
    seed: context.seed,
    taskQueue: `${context.runId}-r6`,
  });
  const prefix = `${context.runId}-r6`;
  const started: { functionName: string; releaseId: string }[] = [];
  let app: FastifyInstance | undefined;
  const breaches: Breach[] = [];
  const outcomes: Record<string, number> = {};
  try {
    app = await createApiServer({
      releases: {
        ...stack.releases,
        start: async (spec, startOptions) => {
          const result = await stack.releases.start(spec, startOptions);
          started.push({ functionName: functionNameIn(spec) ?? spec.function, releaseId: result.releaseId });
          return result;
        },
      },
      auth: loadAuthConfig({}),
      isReady: async () => true,
      audit: () => {},
    });
    const requests = fc.sample(releaseRequestArbitrary(prefix), {
      seed: context.seed,
      numRuns: options.requests,
    });
    const validNames = new Set<string>();
    const invalidNames = new Set<string>();
    for (const [index, request] of requests.entries()) {
      const isValid = request.kind !== 'raw' && isValidSpec(request.body, index, breaches);
      const name = functionNameIn(request.body);
      if (name) (isValid ? validNames : invalidNames).add(name);
      const startsBefore = started.length;
      const response = await app.inject({
        method: 'POST',
        url: '/v1/releases',
        headers: { 'content-type': 'application/json' },
        payload: request.kind === 'raw' ? (request.raw ?? '') : JSON.stringify(request.body ?? null),
      });
      const kind = `${isValid ? 'valid' : 'invalid'} ${response.statusCode}`;
      outcomes[kind] = (outcomes[kind] ?? 0) + 1;
      const where = `request ${index} (${request.kind})`;
      if (response.statusCode >= 500) {
        breaches.push({
          invariant: 'R6',
          releaseId: where,
          message: `answered ${response.statusCode}: ${response.body.slice(0, 200)}`,
        });
      }
      if (!isValid && started.length > startsBefore) {
        breaches.push({ invariant: 'R6', releaseId: where, message: 'an invalid spec started a workflow' });
      }
      if (!isValid && response.statusCode < 400) {
        breaches.push({
          invariant: 'R6',
          releaseId: where,
          message: `an invalid spec was answered ${response.statusCode}`,
        });
      }
    }
    // The releases that did start (valid specs, functions that do not exist) end at their first read; then
    // the simulator's call log tells whether anything touched a function only an invalid request named.
    for (const release of started) {
      const parsed = parseReleaseId(release.releaseId);
      if (!parsed) continue;
      const handle = stack.client.workflow.getHandle(parsed.workflowId, parsed.runId);
      await Promise.race([
        handle.result().catch(() => undefined),
        new Promise((resolve) => setTimeout(resolve, 30_000)),
      ]);
      await handle.terminate('chaos R6 cleanup').catch(() => undefined);
    }
    const touched = stack.sim
      .calls()
      .filter((call) => call.functionName && !validNames.has(call.functionName));
    for (const call of touched) {
      breaches.push({
        invariant: 'R6',
        releaseId: call.functionName ?? '?',
        message: `${call.operation} reached Lambda for a function only an invalid request named`,
      });
    }
    return {
      scenario: 'R6 generated API requests',
      releases: started.length,
      outcomes,
      breaches,
      durationMs: Date.now() - startedAt,
      notes: [
        `${requests.length} requests (${invalidNames.size} invalid function names, ${validNames.size} valid); ${started.length} workflows started, all for valid specs; outcomes column is "validity HTTP-status count"`,
      ],
    };
  } finally {
    await app?.close();
    await stack.close();
  }
}
