import type { PlatformStep } from '../results.js';
import { summarize } from '../stats.js';
import { summarizeLag, type LagSample } from './lag.js';

/** A platform step's figures from what it saw: the POSTs, the orders read back, the samples. */

export const TERMINAL = new Set(['COMPLETED', 'CANCELLED', 'FAILED_NEEDS_ATTENTION']);

export interface Sent {
  readonly dueAt: number;
  status?: number | 'network';
  answeredAt?: number;
  orderId?: string;
}

export interface OrderTimes {
  readonly status: string;
  readonly placedAt: string;
  readonly finalAt: string | null;
  readonly cancellation?: { readonly reason: string } | null;
}

/** Orders the step accepted that had not finished (or could not be read) when it ended. */
export function unfinishedOrders(step: PlatformStep): number {
  return Object.entries(step.otherStatus)
    .filter(([status]) => !TERMINAL.has(status))
    .reduce((sum, [, n]) => sum + n, 0);
}

/**
 * Why a step shows the platform saturated, or undefined when it kept up: orders still unfinished
 * after the drain, or consumer lag that kept growing while fewer than 90 % of the offered orders
 * per second completed. Higher rates would only queue more.
 */
export function saturation(step: PlatformStep): string | undefined {
  const unfinished = unfinishedOrders(step);
  if (unfinished > 0) return `${unfinished} orders of the ${step.rate}/s step never finished`;
  if (step.lag.growing && step.completedPerSecond < 0.9 * step.rate)
    return `at ${step.rate}/s consumer lag kept growing and ${step.completedPerSecond.toFixed(1)} orders/s completed`;
  return undefined;
}

export interface StepFacts {
  readonly options: { readonly rate: number; readonly durationSeconds: number };
  readonly sent: readonly Sent[];
  readonly orders: readonly (OrderTimes | undefined)[];
  readonly lagSamples: readonly LagSample[];
  readonly generatorLateMs: number;
  readonly recordsWritten: number;
  readonly commits: number;
  readonly windowSeconds: number;
  readonly resources: PlatformStep['resources'];
  readonly handlers: PlatformStep['handlers'];
}

/** Turns what a step saw into its figures (pure). */
export function summarizeStep(facts: StepFacts): PlatformStep {
  const { options, sent, orders } = facts;
  const httpErrors: Record<string, number> = {};
  for (const s of sent) {
    if (s.status !== 202) {
      const key = String(s.status ?? 'network');
      httpErrors[key] = (httpErrors[key] ?? 0) + 1;
    }
  }
  const accepted = sent.filter((s) => s.status === 202).length;
  const otherStatus: Record<string, number> = {};
  const cancelReasons: Record<string, number> = {};
  const latencies: number[] = [];
  let completed = 0;
  let cancelled = 0;
  let firstFinal = Infinity;
  let lastFinal = -Infinity;
  for (const order of orders) {
    const status = order?.status ?? 'UNREADABLE';
    if (status === 'COMPLETED' && order?.finalAt) {
      completed += 1;
      const placed = Date.parse(order.placedAt);
      const final = Date.parse(order.finalAt);
      latencies.push(final - placed);
      firstFinal = Math.min(firstFinal, final);
      lastFinal = Math.max(lastFinal, final);
    } else if (status === 'CANCELLED') {
      cancelled += 1;
      const why = order?.cancellation?.reason ?? 'unknown';
      cancelReasons[why] = (cancelReasons[why] ?? 0) + 1;
    } else otherStatus[status] = (otherStatus[status] ?? 0) + 1;
  }
  // Completions over the time they took to happen: the offered rate while the platform keeps
  // up, its capacity once it falls behind (completions then spread over the drain).
  const span = (lastFinal - firstFinal) / 1000;
  const accept = sent.flatMap((s) =>
    s.status === 202 && s.answeredAt !== undefined ? [s.answeredAt - s.dueAt] : [],
  );
  return {
    rate: options.rate,
    durationSeconds: options.durationSeconds,
    sent: sent.length,
    accepted,
    httpErrors,
    completed,
    cancelled,
    cancelReasons,
    otherStatus,
    completedPerSecond: completed > 1 && span > 0 ? (completed - 1) / span : 0,
    latencyMs: summarize(latencies),
    acceptMs: summarize(accept),
    generatorLateMs: facts.generatorLateMs,
    lag: summarizeLag(facts.lagSamples),
    recordsPerOrder: accepted > 0 ? facts.recordsWritten / accepted : 0,
    commitsPerOrder: accepted > 0 && facts.commits > 0 ? facts.commits / accepted : undefined,
    windowSeconds: facts.windowSeconds,
    resources: facts.resources,
    handlers: facts.handlers,
  };
}
