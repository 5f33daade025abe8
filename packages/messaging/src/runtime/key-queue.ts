/**
 * Key-ordered scheduling: one key's items come out in the order they went in, one at a time;
 * different keys come out concurrently. `take` hands out the heads of idle keys in arrival order,
 * and a key stays busy until `release`, so a slow item holds only its own key.
 */
export class KeyQueue<T> {
  private readonly waiting = new Map<string, T[]>();
  /** Keys with waiting items and no item in flight, in the order they became ready. */
  private readonly ready = new Set<string>();
  private readonly busy = new Set<string>();
  private count = 0;

  /** Items waiting (not yet taken). */
  get size(): number {
    return this.count;
  }

  /** Keys whose item is in flight. */
  get inFlight(): number {
    return this.busy.size;
  }

  push(key: string, item: T): void {
    const list = this.waiting.get(key);
    if (list) list.push(item);
    else this.waiting.set(key, [item]);
    this.count += 1;
    if (!this.busy.has(key)) this.ready.add(key);
  }

  /** Up to `max` items of distinct idle keys; their keys become busy. */
  take(max: number): { key: string; item: T }[] {
    const out: { key: string; item: T }[] = [];
    for (const key of this.ready) {
      if (out.length >= max) break;
      const list = this.waiting.get(key)!;
      const item = list.shift()!;
      if (list.length === 0) this.waiting.delete(key);
      this.ready.delete(key);
      this.busy.add(key);
      this.count -= 1;
      out.push({ key, item });
    }
    return out;
  }

  /** The key's item finished: its next item (if any) becomes ready. */
  release(key: string): void {
    this.busy.delete(key);
    if (this.waiting.has(key)) this.ready.add(key);
  }

  /** Drops every waiting item that `drop` selects (e.g. of a revoked partition); returns them. */
  discard(drop: (item: T) => boolean): T[] {
    const dropped: T[] = [];
    for (const [key, list] of this.waiting) {
      const kept = list.filter((item) => !drop(item) || (dropped.push(item), false));
      this.count -= list.length - kept.length;
      if (kept.length === 0) {
        this.waiting.delete(key);
        this.ready.delete(key);
      } else this.waiting.set(key, kept);
    }
    return dropped;
  }
}
