/**
 * Admission control of new orders: from the platform's backlog as order-service sees it (orders
 * placed and not yet final), whether to take one more. Refusing at the door is cheap and honest;
 * an order accepted into a queue longer than the saga's step deadlines is cancelled later anyway.
 * Pure: the backlog reading and the clock come in.
 */
export interface Backlog {
  /** Orders in flight (placed, not final), counted up to the in-flight bound: past it the count changes nothing. */
  readonly inFlight: number;
  /**
   * When the in-flight order at the configured rank from the oldest was placed (rank 1 is the
   * oldest); null when fewer orders are in flight.
   */
  readonly rankedPlacedAt: Date | null;
}

export interface AdmissionLimits {
  /** The most orders in flight; at this many, the next one is refused. */
  readonly maxInFlight: number;
  /** The ranked in-flight order older than this means the backlog is that far behind. */
  readonly maxOldestAgeMs: number;
}

/** Which bound refused an order: a closed set, so it can label a metric. */
export type RefusalReason = 'in_flight' | 'oldest_age';
export const REFUSAL_REASONS: readonly RefusalReason[] = ['in_flight', 'oldest_age'];

export type AdmissionDecision =
  { readonly admit: true } | { readonly admit: false; readonly reason: RefusalReason };

const ADMIT: AdmissionDecision = { admit: true };

/** Age of the ranked in-flight order at `now`; a placing time ahead of the clock counts as 0. */
export function backlogAgeMs(backlog: Backlog, now: Date): number | null {
  if (backlog.rankedPlacedAt === null) return null;
  return Math.max(0, now.getTime() - backlog.rankedPlacedAt.getTime());
}

export function decideAdmission(
  backlog: Backlog,
  limits: AdmissionLimits,
  now: Date,
): AdmissionDecision {
  if (backlog.inFlight >= limits.maxInFlight) return { admit: false, reason: 'in_flight' };
  const age = backlogAgeMs(backlog, now);
  if (age !== null && age > limits.maxOldestAgeMs) return { admit: false, reason: 'oldest_age' };
  return ADMIT;
}
