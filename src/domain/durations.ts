/**
 * Durations in specs are strings like "90s", "5m", "1h30m", "2d" or a number of milliseconds.
 * Parsed here once, deterministically (safe in workflows).
 */
const unitMs = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 } as const;
const durationPattern = /^(?:\d+(?:\.\d+)?(?:ms|s|m|h|d))+$/;
const partPattern = /(\d+(?:\.\d+)?)(ms|s|m|h|d)/g;

export function isDuration(text: string): boolean {
  return durationPattern.test(text);
}

/** Parses "1h30m" to milliseconds; throws RangeError on anything else. */
export function parseDurationMs(value: string | number): number {
  if (typeof value === 'number') {
    if (!Number.isFinite(value) || value < 0) throw new RangeError(`invalid duration ${value}`);
    return value;
  }
  const text = value.trim();
  if (!isDuration(text)) {
    throw new RangeError(`invalid duration "${value}": use a number with a unit, e.g. 30s, 5m, 1h30m, 2d`);
  }
  let total = 0;
  for (const [, amount, unit] of text.matchAll(partPattern)) {
    total += Number(amount) * unitMs[unit as keyof typeof unitMs];
  }
  return Math.round(total);
}

export function formatDurationMs(ms: number): string {
  if (ms === 0) return '0s';
  const parts: string[] = [];
  let rest = ms;
  for (const [unit, size] of [
    ['d', unitMs.d],
    ['h', unitMs.h],
    ['m', unitMs.m],
    ['s', unitMs.s],
  ] as const) {
    const count = Math.floor(rest / size);
    if (count > 0) {
      parts.push(`${count}${unit}`);
      rest -= count * size;
    }
  }
  if (rest > 0) parts.push(`${rest}ms`);
  return parts.join('');
}
