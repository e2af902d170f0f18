import type { Behaviour } from './behaviour.ts';
import type {
  AccessDeniedOptions,
  FailNextUpdateOptions,
  LatencyOptions,
  LoseResponseOptions,
  OutsideChangeOptions,
  ServiceErrorOptions,
  SlowNextUpdateOptions,
  ThrottleOptions,
  VersionBehaviourOptions,
} from './control-schemas.ts';

export type { ThrottleOptions, VersionBehaviourOptions } from './control-schemas.ts';

/**
 * Fault injection: rules that match calls by operation (and function) and fire by count, probability or
 * time window. Controlled from tests (`sim.faults`) and over HTTP (`/_sim/faults`).
 */
export type FaultKind =
  | 'throttle'
  | 'latency'
  | 'serviceError'
  | 'loseResponse'
  | 'accessDenied'
  | 'failNextUpdate'
  | 'slowNextUpdate'
  | 'outsideChange'
  | 'versionBehaviour';

export interface FaultRule {
  id: string;
  kind: FaultKind;
  operation?: string;
  functionName?: string;
  /** Fires this many times, then is spent. */
  count?: number;
  probability?: number;
  /** Active until this time (ms since the epoch). */
  until?: number;
  retryAfterSeconds?: number;
  reason?: string;
  latencyMs?: number;
  reasonCode?: string;
  phase?: 'before' | 'after';
  change?: 'code' | 'config' | 'alias';
  alias?: string;
  /** For versionBehaviour: the version whose package behaviour is overridden (`$LATEST` or a number). */
  version?: string;
  behaviour?: Partial<Behaviour>;
}

export class FaultController {
  private rules: FaultRule[] = [];
  private nextId = 1;

  constructor(
    private readonly clock: () => number,
    private readonly random: () => number,
  ) {}

  private add(rule: Omit<FaultRule, 'id'>): { id: string; remove(): void } {
    const id = `fault-${this.nextId++}`;
    this.rules.push({ ...rule, id });
    return { id, remove: () => this.remove(id) };
  }

  remove(id: string): void {
    this.rules = this.rules.filter((rule) => rule.id !== id);
  }

  clear(): void {
    this.rules = [];
  }

  list(): readonly FaultRule[] {
    return this.rules;
  }

  /** 429 TooManyRequestsException with Retry-After: by probability, for a count, or as a burst for `forMs`. */
  throttle(options: ThrottleOptions = {}) {
    return this.add({
      kind: 'throttle',
      ...pick(options, ['operation', 'functionName', 'probability', 'count', 'retryAfterSeconds', 'reason']),
      ...(options.forMs !== undefined ? { until: this.clock() + options.forMs } : {}),
    });
  }

  latency(options: LatencyOptions) {
    return this.add({
      kind: 'latency',
      latencyMs: options.ms,
      ...pick(options, ['operation', 'functionName', 'count']),
    });
  }

  serviceError(options: ServiceErrorOptions = {}) {
    return this.add({
      kind: 'serviceError',
      ...pick(options, ['operation', 'functionName', 'count', 'probability']),
    });
  }

  /** The call is refused as if the caller's permission had been taken away (403 AccessDeniedException). */
  accessDenied(options: AccessDeniedOptions) {
    return this.add({ kind: 'accessDenied', ...pick(options, ['operation', 'functionName', 'count']) });
  }

  /** The call takes effect, then the connection drops before the response: the caller cannot know it landed. */
  loseResponse(options: LoseResponseOptions) {
    return this.add({
      kind: 'loseResponse',
      count: options.count ?? 1,
      ...pick(options, ['operation', 'functionName']),
    });
  }

  /** The next code or configuration update of the function ends with LastUpdateStatus Failed. */
  failNextUpdate(options: FailNextUpdateOptions) {
    return this.add({
      kind: 'failNextUpdate',
      count: 1,
      functionName: options.functionName,
      reasonCode: options.reasonCode,
      reason: options.reason,
    });
  }

  /** The next code or configuration update of the function stays InProgress for `ms`, not the usual delay. */
  slowNextUpdate(options: SlowNextUpdateOptions) {
    return this.add({
      kind: 'slowNextUpdate',
      count: 1,
      functionName: options.functionName,
      latencyMs: options.ms,
    });
  }

  /** Someone else changes the function's code or configuration, or an alias, right before or after a call. */
  outsideChange(options: OutsideChangeOptions) {
    return this.add({
      kind: 'outsideChange',
      functionName: options.functionName,
      operation: options.when.operation,
      phase: options.when.phase,
      change: options.change,
      count: options.count ?? 1,
      ...(options.alias ? { alias: options.alias } : {}),
    });
  }

  /**
   * Makes a published version (or `$LATEST`) behave differently from what its package says, as if the
   * code's dependencies went bad after the release: every Invoke routed to it follows this.
   */
  versionBehaviour(functionName: string, version: string, options: VersionBehaviourOptions) {
    const latency =
      typeof options.latencyMs === 'number'
        ? { p50: options.latencyMs, p99: options.latencyMs }
        : options.latencyMs;
    const behaviour: Partial<Behaviour> = {
      ...(options.errorRate !== undefined ? { errorRate: options.errorRate } : {}),
      ...(options.throttleRate !== undefined ? { throttleRate: options.throttleRate } : {}),
      ...(latency ? { latencyMs: latency } : {}),
    };
    // The newest override for a version wins, so tests can turn a version bad and then good again.
    this.rules = this.rules.filter(
      (rule) =>
        !(rule.kind === 'versionBehaviour' && rule.functionName === functionName && rule.version === version),
    );
    return this.add({ kind: 'versionBehaviour', functionName, version, behaviour });
  }

  /** The override set for this version, if any. */
  behaviourOf(functionName: string, version: string): Partial<Behaviour> | undefined {
    return this.rules.find(
      (rule) =>
        rule.kind === 'versionBehaviour' && rule.functionName === functionName && rule.version === version,
    )?.behaviour;
  }

  /** Rules of `kind` that fire for this call; consumes their counts. */
  fire(
    kind: FaultKind,
    call: { operation: string; functionName?: string | undefined; isOperationRequired?: boolean },
    phase?: 'before' | 'after',
  ): FaultRule[] {
    const now = this.clock();
    this.rules = this.rules.filter((rule) => rule.until === undefined || rule.until > now);
    const fired: FaultRule[] = [];
    for (const rule of this.rules) {
      if (rule.kind !== kind) continue;
      if (rule.operation ? rule.operation !== call.operation : call.isOperationRequired) continue;
      if (rule.functionName && rule.functionName !== call.functionName) continue;
      if (phase && rule.phase !== phase) continue;
      if (rule.probability !== undefined && this.random() >= rule.probability) continue;
      fired.push(rule);
      if (rule.count !== undefined) rule.count--;
    }
    this.rules = this.rules.filter((rule) => rule.count === undefined || rule.count > 0);
    return fired;
  }
}

/** The given keys that are set: a rule carries only what its caller said. */
function pick<T extends object, K extends keyof T>(
  value: T,
  keys: K[],
): { [P in K]?: Exclude<T[P], undefined> } {
  const out: { [P in K]?: Exclude<T[P], undefined> } = {};
  for (const key of keys) if (value[key] !== undefined) out[key] = value[key] as Exclude<T[K], undefined>;
  return out;
}
