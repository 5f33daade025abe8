import { performance } from 'node:perf_hooks';
import { Counter } from 'prom-client';
import { METRIC_PREFIX, metricsRegistry, type Logger } from '@orderflow/telemetry';
import {
  backlogAgeMs,
  decideAdmission,
  REFUSAL_REASONS,
  type AdmissionDecision,
  type AdmissionLimits,
  type Backlog,
  type RefusalReason,
} from './domain/index.js';

/**
 * Admission control of POST /orders: one reading of the in-flight backlog (an indexed query)
 * serves every order for `refreshMs` after it arrives, and none is taken while no order comes;
 * the pure `decideAdmission` judges it; refusals are counted in `orderflow_order_admission_refusals_total`
 * and logged at most once a second. The route turns a refusal into the 503.
 *
 * Not @fastify/under-pressure (9.2): its state is one boolean per process, fed by `healthCheck`
 * on a timer that queries even while no order arrives, beside an event-loop histogram and a
 * memory sampler it always runs; its hook runs on every route, a per-route `pressureHandler` is
 * untyped route config, and the handler's type cannot send a body, so a refusal would have to
 * go through the error handler, which logs each 5xx as an error with its stack: one line per
 * refused order exactly when the service is overloaded. A route hook and this class are less.
 */
export interface AdmissionControlOptions {
  /** Takes one reading of the backlog (`readBacklog` on the service's pool). */
  readonly read: () => Promise<Backlog>;
  readonly limits: AdmissionLimits;
  /** How long a reading stands, from when it arrived. */
  readonly refreshMs: number;
  /** What a refusal tells the client to wait. */
  readonly retryAfterSeconds: number;
  readonly logger: Logger;
  /** The clock that stamps `placedAt`, so ages compare like with like. */
  readonly now: () => Date;
  /** Monotonic milliseconds, for reading windows and log pacing; `performance.now` by default. */
  readonly monotonicMs?: () => number;
}

export interface Refusal {
  readonly reason: RefusalReason;
  readonly retryAfterSeconds: number;
}

interface Reading {
  readonly arrivedAt: number;
  /** Null when the backlog could not be read: the order is admitted unchecked. */
  readonly backlog: Backlog | null;
  readonly decision: AdmissionDecision;
}

const LOG_EVERY_MS = 1_000;

export class AdmissionControl {
  private reading: Reading | undefined;
  private pending: Promise<Reading> | undefined;
  private refusedSinceLog = 0;
  private lastRefusalLog = -Infinity;
  private lastFailureLog = -Infinity;
  private readonly refusals = refusalCounter();
  private readonly clock: () => number;

  constructor(private readonly options: AdmissionControlOptions) {
    this.clock = options.monotonicMs ?? (() => performance.now());
  }

  /** Undefined when the order may go ahead; otherwise why not (already counted and logged). */
  async check(): Promise<Refusal | undefined> {
    const reading = await this.current();
    const { decision } = reading;
    if (decision.admit) return undefined;
    this.refusals.inc({ reason: decision.reason });
    this.refusedSinceLog += 1;
    const at = this.clock();
    if (at - this.lastRefusalLog >= LOG_EVERY_MS) {
      this.lastRefusalLog = at;
      this.options.logger.warn(
        {
          reason: decision.reason,
          ...this.figures(reading),
          refusedSinceLastLog: this.refusedSinceLog,
        },
        'orders refused: the platform is past capacity',
      );
      this.refusedSinceLog = 0;
    }
    return { reason: decision.reason, retryAfterSeconds: this.options.retryAfterSeconds };
  }

  private async current(): Promise<Reading> {
    const last = this.reading;
    if (last !== undefined && this.clock() - last.arrivedAt < this.options.refreshMs) return last;
    // One query however many orders arrive while it runs.
    this.pending ??= this.refresh().finally(() => {
      this.pending = undefined;
    });
    return this.pending;
  }

  private async refresh(): Promise<Reading> {
    const { read, limits, now, logger } = this.options;
    let reading: Reading;
    try {
      const backlog = await read();
      reading = {
        arrivedAt: this.clock(),
        backlog,
        decision: decideAdmission(backlog, limits, now()),
      };
    } catch (error) {
      // Fail open: a backlog we cannot read is no evidence of one, and refusing every order
      // would turn a failed query into an outage; the order's own transaction meets the same
      // database and fails on its own if the database is the problem.
      reading = { arrivedAt: this.clock(), backlog: null, decision: { admit: true } };
      if (reading.arrivedAt - this.lastFailureLog >= LOG_EVERY_MS) {
        this.lastFailureLog = reading.arrivedAt;
        logger.warn({ err: error }, 'admission control cannot read the backlog; admitting orders');
      }
    }
    if (this.reading?.decision.admit === false && reading.decision.admit) {
      logger.info(
        { ...this.figures(reading), refusedSinceLastLog: this.refusedSinceLog },
        'orders admitted again',
      );
      this.refusedSinceLog = 0;
    }
    this.reading = reading;
    return reading;
  }

  private figures(reading: Reading): Record<string, number | null> {
    const { limits, now } = this.options;
    return {
      inFlight: reading.backlog?.inFlight ?? null,
      oldestAgeMs: reading.backlog ? backlogAgeMs(reading.backlog, now()) : null,
      maxInFlight: limits.maxInFlight,
      maxOldestAgeMs: limits.maxOldestAgeMs,
    };
  }
}

let refusalsTotal: Counter<'reason'> | undefined;

/** Declared once per process (the registry refuses a second metric of the same name). */
function refusalCounter(): Counter<'reason'> {
  if (refusalsTotal === undefined) {
    refusalsTotal = new Counter({
      name: `${METRIC_PREFIX}order_admission_refusals_total`,
      help: 'POST /orders answered 503 because the platform was past capacity, by the bound exceeded.',
      labelNames: ['reason'] as const,
      registers: [metricsRegistry()],
    });
    // Every reason at 0 from the start, so a rate over the series works before the first refusal.
    for (const reason of REFUSAL_REASONS) refusalsTotal.inc({ reason }, 0);
  }
  return refusalsTotal;
}
