/**
 * Offset bookkeeping of one assigned partition while its records complete out of order: the
 * committable offset is the lowest record not yet finished (the contiguous processed prefix, as
 * Confluent's Parallel Consumer commits it). A restart re-delivers whatever lies above it; the
 * inbox makes that harmless.
 */
export class PartitionOffsets {
  /** Offsets fetched and not yet below the committable point, in fetch order. */
  private readonly open: bigint[] = [];
  private readonly done = new Set<bigint>();
  /** The next offset to consume once everything before it is finished. */
  private next: bigint | undefined;
  private lastCommitted: bigint | undefined;

  /** Records fetched but not finished. */
  get inFlight(): number {
    return this.open.length - this.done.size;
  }

  /** Registers a fetched record; offsets arrive in increasing order within a partition. */
  add(offset: string): void {
    const value = BigInt(offset);
    const last = this.open.at(-1) ?? (this.next === undefined ? undefined : this.next - 1n);
    if (last !== undefined && value <= last)
      throw new Error(`offset ${offset} fetched out of order (last ${last})`);
    this.open.push(value);
  }

  /** Marks a record finished (handled, deduplicated, ignored, retried or dead-lettered). */
  complete(offset: string): void {
    const value = BigInt(offset);
    this.done.add(value);
    while (this.open.length > 0 && this.done.has(this.open[0]!)) {
      const head = this.open.shift()!;
      this.done.delete(head);
      this.next = head + 1n;
    }
  }

  /** The offset to commit now, or undefined when nothing new is committable. */
  committable(): string | undefined {
    if (this.next === undefined || this.next === this.lastCommitted) return undefined;
    return this.next.toString();
  }

  /** Records that `offset` (from `committable`) reached the broker. */
  committed(offset: string): void {
    const value = BigInt(offset);
    if (this.lastCommitted === undefined || value > this.lastCommitted) this.lastCommitted = value;
  }
}
