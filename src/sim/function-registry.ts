import { functionArn, type ResolvedName, resolveFunctionName } from './function-names.ts';
import { type AliasRecord, type FunctionRecord, settle } from './lambda-state.ts';
import { RegionalMap } from './regional-map.ts';
import { functionNotFound } from './sim-error.ts';

export interface Context {
  region: string;
  accountId: string;
}

/** One state an alias has been in, for tests that assert the sequence of weights. */
export interface AliasState {
  functionVersion: string;
  additionalVersionWeights: Record<string, number>;
  revisionId: string;
  at: number;
}

/** What the state file holds of the registry; the keys are RegionalMap's own. */
export interface RegistrySnapshot {
  functions: FunctionRecord[];
  aliasHistory: [string, AliasState[]][];
}

/**
 * Every function of the account, per region, and every state each alias has been in. The maps are private:
 * callers find a function by the name a request gives, and read histories through `historyOf`.
 */
export class FunctionRegistry {
  private readonly functions = new RegionalMap<FunctionRecord>();
  private readonly aliasHistories = new RegionalMap<AliasState[]>();
  /** Called after every change, so a persisted simulator can save. */
  onChange: () => void = () => {};

  constructor(private readonly clock: () => number) {}

  has(region: string, name: string): boolean {
    return this.functions.has(region, name);
  }

  /** The function as stored, not settled: for the simulator's own changes, not for answering requests. */
  get(region: string, name: string): FunctionRecord | undefined {
    return this.functions.get(region, name);
  }

  add(fn: FunctionRecord): void {
    this.functions.set(fn.region, fn.name, fn);
  }

  remove(region: string, name: string): void {
    this.functions.delete(region, name);
  }

  /** The function named in a request, settled to now; 404 as Lambda words it when absent. */
  find(context: Context, raw: string, isStrict = false): { fn: FunctionRecord; ref: ResolvedName } {
    const ref = resolveFunctionName(raw, { ...context, isStrict });
    const fn = this.functions.get(context.region, ref.name);
    if (!fn) throw functionNotFound(functionArn(context, ref.name, ref.qualifier));
    settle(fn, this.clock());
    return { fn, ref };
  }

  recordAlias(fn: FunctionRecord, alias: AliasRecord): void {
    const name = `${fn.name}:${alias.name}`;
    const history = this.aliasHistories.get(fn.region, name) ?? [];
    history.push({
      functionVersion: alias.functionVersion,
      additionalVersionWeights: { ...alias.weights },
      revisionId: alias.revisionId,
      at: this.clock(),
    });
    this.aliasHistories.set(fn.region, name, history);
    this.onChange();
  }

  historyOf(region: string, functionName: string, alias: string): readonly AliasState[] {
    return this.aliasHistories.get(region, `${functionName}:${alias}`) ?? [];
  }

  snapshot(): RegistrySnapshot {
    return { functions: this.functions.values(), aliasHistory: this.aliasHistories.entries() };
  }

  restore(saved: Partial<RegistrySnapshot>): void {
    for (const fn of saved.functions ?? []) this.add(fn);
    this.aliasHistories.restore((saved.aliasHistory ?? []).map(([key, history]) => [key, [...history]]));
  }
}
