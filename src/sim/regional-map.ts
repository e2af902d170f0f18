/**
 * Things that live in one region under one name: functions, alarms, alias histories. One simulator is one
 * account serving every region, so the same name can exist in two regions. The key's format is this
 * class's own business; the state file stores it as written by `entries()`, so keep it stable.
 */
export class RegionalMap<T> {
  private readonly items = new Map<string, T>();

  private static key(region: string, name: string): string {
    return `${region}/${name}`;
  }

  get(region: string, name: string): T | undefined {
    return this.items.get(RegionalMap.key(region, name));
  }

  has(region: string, name: string): boolean {
    return this.items.has(RegionalMap.key(region, name));
  }

  set(region: string, name: string, value: T): void {
    this.items.set(RegionalMap.key(region, name), value);
  }

  delete(region: string, name: string): boolean {
    return this.items.delete(RegionalMap.key(region, name));
  }

  values(): T[] {
    return [...this.items.values()];
  }

  /** For the state file: opaque keys with their values, read back by `restore`. */
  entries(): [string, T][] {
    return [...this.items.entries()];
  }

  restore(entries: Iterable<[string, T]>): void {
    for (const [key, value] of entries) this.items.set(key, value);
  }
}
