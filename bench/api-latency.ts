/**
 * The API's latency to accept a release (POST /v1/releases → 202, over a real socket, zip staging included)
 * and the time from the request to the first Lambda call the release makes (the simulator's own timestamp),
 * for N releases on distinct functions, through the real API, Temporal, worker and simulator.
 *
 *   RAMP_BENCH_RELEASES=50 npx tsx bench/api-latency.ts
 */
import type { AddressInfo } from 'node:net';
import { withApiStack } from '../test/helpers/api-stack.ts';
import { zipBase64 } from '../test/helpers/release-stack.ts';
import { closeTemporalEnvironment, uniqueName } from '../test/helpers/temporal.ts';
import { waitForEnd } from '../test/helpers/wait-for.ts';

const releases = Number(process.env.RAMP_BENCH_RELEASES ?? 30);
const percentile = (values: number[], p: number) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? 0;
};

try {
  await withApiStack({}, async (api) => {
    const functions = await Promise.all(
      Array.from({ length: releases }, async () => {
        const fn = uniqueName('bench-api');
        await api.stack.createFunctionWithAlias(fn, 'live');
        return fn;
      }),
    );
    await api.app.listen({ host: '127.0.0.1', port: 0 });
    const url = `http://127.0.0.1:${(api.app.server.address() as AddressInfo).port}/v1/releases`;
    const acceptMs: number[] = [];
    const toFirstCallMs: number[] = [];
    const ids: string[] = [];
    for (const fn of functions) {
      const body = JSON.stringify({
        function: fn,
        alias: 'live',
        code: { zipFile: zipBase64() },
        strategy: 'AllAtOnce',
      });
      const before = api.stack.sim.calls().length;
      const sentAt = Date.now();
      const response = await fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body,
      });
      const answer = (await response.json()) as { id?: string };
      acceptMs.push(Date.now() - sentAt);
      if (response.status !== 202) throw new Error(`expected 202, got ${response.status}`);
      ids.push(String(answer.id));
      const deadline = Date.now() + 10_000;
      let first: { at: number } | undefined;
      while (!first && Date.now() < deadline) {
        first = api.stack.sim
          .calls()
          .slice(before)
          .find((call) => call.functionName === fn);
        if (!first) await new Promise((resolve) => setTimeout(resolve, 2));
      }
      if (first) toFirstCallMs.push(first.at - sentAt);
    }
    for (const id of ids) await waitForEnd(api.stack.releases, id);
    console.log(
      `API accept latency over ${releases} releases: p50 ${percentile(acceptMs, 50)} ms, p99 ${percentile(acceptMs, 99)} ms`,
    );
    console.log(
      `request → first Lambda call: p50 ${percentile(toFirstCallMs, 50)} ms, p99 ${percentile(toFirstCallMs, 99)} ms`,
    );
  });
} finally {
  await closeTemporalEnvironment();
}
