/**
 * Synthetic traffic: N invocations per second through an alias (or version), so per-version metrics and
 * alarms move the way they would in production when a version is bad.
 */
export interface TrafficOptions {
  functionName: string;
  qualifier?: string;
  ratePerSecond: number;
  region?: string;
  /** The account whose function it is (default: the simulator's own). */
  accountId?: string;
}

export interface TrafficHandle {
  id: string;
  options: TrafficOptions;
  stop(): void;
}

export class TrafficController {
  private readonly generators = new Map<string, TrafficHandle>();
  private nextId = 1;

  constructor(private readonly invoke: (options: TrafficOptions) => void) {}

  start(options: TrafficOptions): TrafficHandle {
    const id = `traffic-${this.nextId++}`;
    const tickMs = 50;
    let owed = 0;
    const timer = setInterval(() => {
      owed += (options.ratePerSecond * tickMs) / 1000;
      for (; owed >= 1; owed--) {
        try {
          this.invoke(options);
        } catch {
          // The function may be Pending or gone for a moment; traffic keeps coming, as in production.
        }
      }
    }, tickMs);
    timer.unref();
    const handle: TrafficHandle = {
      id,
      options,
      stop: () => {
        clearInterval(timer);
        this.generators.delete(id);
      },
    };
    this.generators.set(id, handle);
    return handle;
  }

  list(): TrafficHandle[] {
    return [...this.generators.values()];
  }

  stop(id: string): boolean {
    const handle = this.generators.get(id);
    handle?.stop();
    return handle !== undefined;
  }

  stopAll(): void {
    for (const handle of this.list()) handle.stop();
  }
}
