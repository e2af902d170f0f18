/** Every API call the simulator answered, newest last, for tests and `GET /_sim/calls`. */
export interface SimCall {
  operation: string;
  functionName?: string;
  qualifier?: string;
  status: number;
  errorType?: string;
  at: number;
  /** The request body without deployment packages. */
  request: Record<string, unknown>;
}

const maxCalls = 20_000;

export class CallLog {
  private readonly entries: SimCall[] = [];

  add(entry: SimCall): void {
    this.entries.push(entry);
    // Bounded, so a long-running local stack with steady traffic does not grow without end.
    if (this.entries.length > maxCalls) this.entries.splice(0, this.entries.length - maxCalls);
  }

  list(): readonly SimCall[] {
    return this.entries;
  }
}
