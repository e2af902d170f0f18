import { unzipSync } from 'fflate';

/**
 * How a version answers Invoke, decided by its package, so a bad build is just a zip: a `simulate.json` at
 * the zip's root, e.g. `{"errorRate":0.5,"latencyMs":{"p50":20,"p99":200},"throttleRate":0}`. Absent means
 * healthy and fast. Images carry the same in their tag: `…:anything--errors-50--p99-400` (see
 * docs/simulator.md). S3 objects cannot be read here, so their key carries it the same way.
 */
export interface Behaviour {
  /** Fraction of invocations that end in a function error. */
  errorRate: number;
  latencyMs: { p50: number; p99: number };
  /** Fraction of invocations throttled (429, counted in Throttles). */
  throttleRate: number;
}

export const healthyBehaviour: Behaviour = { errorRate: 0, latencyMs: { p50: 5, p99: 20 }, throttleRate: 0 };

function clampFraction(value: unknown): number {
  return typeof value === 'number' && Number.isFinite(value) ? Math.min(1, Math.max(0, value)) : 0;
}

export function behaviourFrom(value: unknown): Behaviour {
  const raw = (typeof value === 'object' && value !== null ? value : {}) as Record<string, unknown>;
  const latency = (raw.latencyMs ?? {}) as Record<string, unknown>;
  const p50 =
    typeof latency.p50 === 'number' && latency.p50 > 0 ? latency.p50 : healthyBehaviour.latencyMs.p50;
  const p99 =
    typeof latency.p99 === 'number' && latency.p99 >= p50
      ? latency.p99
      : Math.max(p50, healthyBehaviour.latencyMs.p99);
  return {
    errorRate: clampFraction(raw.errorRate),
    latencyMs: { p50, p99 },
    throttleRate: clampFraction(raw.throttleRate),
  };
}

/** Reads simulate.json from a zip; null when the bytes are not a zip Lambda could unpack. */
export function behaviourOfZip(zip: Uint8Array): Behaviour | null {
  let files: Record<string, Uint8Array>;
  try {
    files = unzipSync(zip);
  } catch {
    return null;
  }
  const spec = files['simulate.json'];
  if (!spec) return healthyBehaviour;
  try {
    return behaviourFrom(JSON.parse(new TextDecoder().decode(spec)));
  } catch {
    return healthyBehaviour;
  }
}

/** `--errors-50--p99-400--p50-100--throttles-10` anywhere in a tag or key: percents and milliseconds. */
export function behaviourOfLabel(label: string): Behaviour {
  const number = (name: string) => {
    const match = new RegExp(`--${name}-(\\d+(?:\\.\\d+)?)`).exec(label);
    return match ? Number(match[1]) : undefined;
  };
  return behaviourFrom({
    errorRate: (number('errors') ?? 0) / 100,
    throttleRate: (number('throttles') ?? 0) / 100,
    latencyMs: {
      p50: number('p50') ?? healthyBehaviour.latencyMs.p50,
      p99: number('p99') ?? healthyBehaviour.latencyMs.p99,
    },
  });
}

/** A latency drawn from a log-normal fitted to p50 and p99, as real latencies are skewed. */
export function sampleLatencyMs(behaviour: Behaviour, random: () => number): number {
  const { p50, p99 } = behaviour.latencyMs;
  const mu = Math.log(p50);
  const sigma = p99 > p50 ? (Math.log(p99) - mu) / 2.3263 : 0;
  // Box-Muller
  const u = Math.max(random(), 1e-12);
  const v = random();
  const z = Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
  return Math.exp(mu + sigma * z);
}
