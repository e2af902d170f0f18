/** What every scenario receives from the runner (scripts/chaos.ts, or the short CI test). */
export interface ScenarioContext {
  temporalAddress: string;
  namespace: string;
  seed: number;
  /** Prefixes function names and task queues, so runs against one dev server never meet. */
  runId: string;
  log(line: string): void;
  /** Kills the dev server and starts it again on the same port and database file (R2 only). */
  restartTemporal?(): Promise<void>;
}
