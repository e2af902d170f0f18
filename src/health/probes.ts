import { GetFunctionCommand, InvokeCommand, type LambdaClient } from '@aws-sdk/client-lambda';
import { classifyAwsError } from '../aws/classify-error.ts';
import { FailureType } from '../domain/failure-types.ts';
import type { ProbeConfig } from '../domain/health-spec.ts';

/**
 * Synthetic probes: Ramp invokes the candidate and the stable version itself, by `Invoke` with
 * `Qualifier` = the version number, never the alias, so the alias's traffic split is untouched and the
 * alias's per-version metrics (`Resource` = function:alias, `ExecutedVersion`) do not include them: Lambda
 * publishes `ExecutedVersion` only for invocations through an alias. The answer is known the moment it
 * comes back, so a broken candidate is seen in seconds while CloudWatch is still a minute behind.
 */

/** What one probe found. Only `ok` and the failures count in the judgement; the rest say why none was made. */
export type ProbeResult =
  | 'ok'
  | 'functionError'
  | 'timeout'
  | 'unexpected'
  /** Lambda refused to run it (429): the function's concurrency is used up. Not the code's fault; backs off. */
  | 'throttled'
  /** Ramp could not invoke (AccessDenied, NotFound, a network failure): no verdict on the code. */
  | 'notSent';

export interface ProbeOutcome {
  /** When the probe ended (ms since the epoch). */
  atMs: number;
  result: ProbeResult;
  durationMs: number;
  /** A few words on a failure: the FunctionError type, the value found, the AWS error. */
  detail?: string;
}

export const isCounted = (outcome: ProbeOutcome) =>
  outcome.result !== 'throttled' && outcome.result !== 'notSent';
export const isFailed = (outcome: ProbeOutcome) =>
  outcome.result === 'functionError' || outcome.result === 'timeout' || outcome.result === 'unexpected';

/** Reads `$.a.b[0]` from a parsed JSON answer; undefined when a step is missing. */
export function valueAtJsonPath(document: unknown, path: string): unknown {
  let value: unknown = document;
  for (const [, name, index] of path.slice(1).matchAll(/\.([^.[]+)|\[(\d+)\]/g)) {
    if (value === null || typeof value !== 'object') return undefined;
    value =
      name !== undefined ? (value as Record<string, unknown>)[name] : (value as unknown[])[Number(index)];
  }
  return value;
}

/** Runs one probe of `version`: a failure is a FunctionError, a timeout, or (with `expect`) another answer. */
export async function probeOnce(
  lambda: LambdaClient,
  target: { functionName: string; version: string },
  config: Pick<ProbeConfig, 'timeoutMs' | 'expect'>,
  payload: unknown,
  clock: () => number = Date.now,
): Promise<ProbeOutcome> {
  const startedAt = clock();
  const timeout = new AbortController();
  const timer = setTimeout(() => timeout.abort(), config.timeoutMs);
  const done = (result: ProbeResult, detail?: string): ProbeOutcome => ({
    atMs: clock(),
    result,
    durationMs: clock() - startedAt,
    ...(detail ? { detail } : {}),
  });
  try {
    const response = await lambda.send(
      new InvokeCommand({
        FunctionName: target.functionName,
        // The version, never the alias: the probe must not be routed by the alias's weights.
        Qualifier: target.version,
        Payload: new TextEncoder().encode(JSON.stringify(payload ?? {})),
      }),
      { abortSignal: timeout.signal },
    );
    if (response.FunctionError) return done('functionError', response.FunctionError);
    if (!config.expect) return done('ok');
    const text = response.Payload ? new TextDecoder().decode(response.Payload) : '';
    let found: unknown;
    try {
      found = valueAtJsonPath(JSON.parse(text), config.expect.jsonPath);
    } catch {
      return done('unexpected', 'the answer is not JSON');
    }
    return JSON.stringify(found) === JSON.stringify(config.expect.equals)
      ? done('ok')
      : done(
          'unexpected',
          `${config.expect.jsonPath} = ${found === undefined ? 'nothing' : JSON.stringify(found)}`,
        );
  } catch (error) {
    if (timeout.signal.aborted) return done('timeout', `no answer within ${config.timeoutMs} ms`);
    const classified = classifyAwsError(error);
    if (classified.type === FailureType.Throttled)
      return done('throttled', classified.reason ?? classified.awsErrorName ?? 'throttled');
    return done('notSent', `${classified.awsErrorName ?? classified.type}: ${classified.message}`);
  } finally {
    clearTimeout(timer);
  }
}

export interface ProbeTargets {
  functionName: string;
  candidateVersion: string;
  stableVersion: string | null;
}

/** How many outcomes a run keeps per version: enough for any judgement, bounded however long the bake. */
const maxOutcomes = 20_000;
/** At most this many probes of one version in flight: probes take concurrency the function's callers need. */
const maxInFlightPerVersion = 4;
const reservedReadTimeoutMs = 2000;
/** With reserved concurrency, the share of it each version's probes may hold at once (both: 10 %). */
export const reservedSharePerVersion = 0.05;

/**
 * How many probes of one version may be in flight: enough for the rate at the timeout, at most 4, and with
 * reserved concurrency at most 5 % of it (but 1 at least, or a small function could not be probed at all).
 */
export function maxInFlightOf(
  config: Pick<ProbeConfig, 'ratePerSecond' | 'timeoutMs'>,
  reserved?: number,
): number {
  const forRate = Math.ceil(config.ratePerSecond * (config.timeoutMs / 1000));
  const forReserved =
    reserved === undefined ? Number.POSITIVE_INFINITY : Math.floor(reserved * reservedSharePerVersion);
  return Math.max(1, Math.min(maxInFlightPerVersion, forRate, forReserved));
}

/**
 * Probes both versions at `ratePerSecond` each until stopped, payloads in turn. Rate-limited against the
 * function's concurrency: a version gets a new probe only while fewer than `maxInFlight` of its probes are
 * running (maxInFlightOf: at most 4, and 5 % of the function's reserved concurrency), so a hanging version is
 * not piled on and the function's callers keep their concurrency; and a throttle (Lambda's 429: reserved or
 * account concurrency used up) pauses that version's probes, 1 s at first and doubling up to 30 s.
 */
export class ProbeRun {
  private readonly outcomes = new Map<string, ProbeOutcome[]>();
  private readonly inFlight = new Map<string, number>();
  private readonly pausedUntil = new Map<string, number>();
  private readonly backoffMs = new Map<string, number>();
  private readonly running = new Set<Promise<void>>();
  private timer: ReturnType<typeof setInterval> | undefined;
  private sent = 0;
  readonly startedAtMs: number;
  maxInFlight: number;
  /** The function's reserved concurrency, once read (GetFunction); undefined: none, or not read. */
  reservedConcurrency: number | undefined;

  constructor(
    private readonly lambda: LambdaClient,
    readonly targets: ProbeTargets,
    private readonly config: ProbeConfig,
    private readonly clock: () => number = Date.now,
  ) {
    this.startedAtMs = clock();
    this.maxInFlight = maxInFlightOf(config);
  }

  /**
   * Reads the function's reserved concurrency (GetFunction's `Concurrency`) and caps the probes in flight to a
   * small share of it. A failed read leaves the default cap: throttles still back the probes off.
   */
  private async readReservedConcurrency(): Promise<void> {
    try {
      const fn = await this.lambda.send(new GetFunctionCommand({ FunctionName: this.targets.functionName }), {
        // A read that hangs must not hold the probes back: they start with the default cap after this.
        abortSignal: AbortSignal.timeout(reservedReadTimeoutMs),
      });
      this.reservedConcurrency = fn.Concurrency?.ReservedConcurrentExecutions;
      this.maxInFlight = maxInFlightOf(this.config, this.reservedConcurrency);
    } catch {
      // Not a verdict on anything: the default cap and the throttle back-off still hold.
    }
  }

  get versions(): string[] {
    const { candidateVersion, stableVersion } = this.targets;
    return stableVersion && stableVersion !== candidateVersion
      ? [candidateVersion, stableVersion]
      : [candidateVersion];
  }

  /** Starts probing once the function's reserved concurrency is known (one GetFunction, a few milliseconds). */
  start(): this {
    if (this.timer || this.isStarting) return this;
    this.isStarting = true;
    void this.readReservedConcurrency().then(() => {
      if (this.isStarting) this.startProbing();
    });
    return this;
  }

  private isStarting = false;

  private startProbing(): void {
    const tick = () => {
      const payload = this.config.payloads[this.sent % this.config.payloads.length];
      this.sent++;
      for (const version of this.versions) this.probe(version, payload);
    };
    tick();
    this.timer = setInterval(tick, 1000 / this.config.ratePerSecond);
  }

  private probe(version: string, payload: unknown): void {
    const now = this.clock();
    if ((this.inFlight.get(version) ?? 0) >= this.maxInFlight) return;
    if ((this.pausedUntil.get(version) ?? 0) > now) return;
    this.inFlight.set(version, (this.inFlight.get(version) ?? 0) + 1);
    const running = probeOnce(
      this.lambda,
      { functionName: this.targets.functionName, version },
      this.config,
      payload,
      this.clock,
    ).then((outcome) => {
      this.inFlight.set(version, (this.inFlight.get(version) ?? 1) - 1);
      if (outcome.result === 'throttled') {
        const backoff = Math.min(30_000, (this.backoffMs.get(version) ?? 500) * 2);
        this.backoffMs.set(version, backoff);
        this.pausedUntil.set(version, this.clock() + backoff);
      } else if (isCounted(outcome)) {
        this.backoffMs.delete(version);
      }
      const list = this.outcomes.get(version) ?? [];
      list.push(outcome);
      if (list.length > maxOutcomes) list.splice(0, list.length - maxOutcomes);
      this.outcomes.set(version, list);
    });
    this.running.add(running);
    void running.finally(() => this.running.delete(running));
  }

  /** The last `count` answered (counted) outcomes of one version, oldest first: cheap, from the end. */
  lastCounted(version: string | null, count: number): ProbeOutcome[] {
    const list = version === null ? [] : (this.outcomes.get(version) ?? []);
    const found: ProbeOutcome[] = [];
    for (let index = list.length - 1; index >= 0 && found.length < count; index--) {
      const outcome = list[index];
      if (outcome && isCounted(outcome)) found.unshift(outcome);
    }
    return found;
  }

  /** The outcomes of one version so far, oldest first. */
  outcomesOf(version: string | null): ProbeOutcome[] {
    return version === null ? [] : [...(this.outcomes.get(version) ?? [])];
  }

  /** Stops sending; probes in flight end on their own (each within the timeout). */
  stop(): void {
    this.isStarting = false;
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
  }

  /** Stops and waits for the probes in flight. */
  async drain(): Promise<void> {
    this.stop();
    await Promise.all([...this.running]);
  }
}
