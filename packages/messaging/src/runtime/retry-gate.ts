/**
 * When a record on a retry tier may run. A tier record names its own time (`x-retry-not-before`)
 * and its partition pauses until then; that time comes from whoever produced the record, so it
 * is never believed beyond the tier's delay counted from when this consumer first met the record.
 * The fetch comes back to the very record after the pause, so the first sighting is remembered
 * per partition (one entry each): a far-future claim costs one tier delay, not a pause renewed on
 * every fetch, and never a timer beyond the delay (setTimeout turns anything above 2^31−1 ms into
 * 1 ms, which made a forged value a pause/resume loop).
 */
export class RetryGate {
  private readonly held = new Map<string, { readonly offset: string; readonly due: number }>();

  /**
   * How long the record at `offset` of partition `tp` must still wait (0: run it now), given the
   * not-before it claims (NaN: none) and its tier's delay.
   */
  waitMs(
    tp: string,
    offset: string,
    claimedNotBefore: number,
    delayMs: number,
    now: number,
  ): number {
    const held = this.held.get(tp);
    const latest = held?.offset === offset ? held.due : now + delayMs;
    const due = Number.isFinite(claimedNotBefore) ? Math.min(claimedNotBefore, latest) : latest;
    if (due <= now) {
      this.held.delete(tp);
      return 0;
    }
    this.held.set(tp, { offset, due });
    return due - now;
  }

  /** A new group generation fetches from the committed offsets: first sightings start over. */
  clear(): void {
    this.held.clear();
  }
}
