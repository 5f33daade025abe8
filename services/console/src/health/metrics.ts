import parsePrometheusTextFormat, { type PrometheusFamily } from 'parse-prometheus-text-format';

/**
 * The figures the health page shows from one service's /metrics (the messaging metric set of
 * @orderflow/telemetry): outbox backlog and age, records consumed and dead-lettered, and the
 * handler-duration totals the throughput and latency chart is built from.
 */
export interface MetricFigures {
  readonly outboxBacklog: number | null;
  readonly outboxOldestAgeSeconds: number | null;
  /** orderflow_messages_consumed_total over every label. */
  readonly consumed: number;
  readonly deadLettered: number;
  readonly handlerSeconds: number;
  readonly handlerCount: number;
}

const sum = (
  family: PrometheusFamily | undefined,
  pick: (s: PrometheusFamily['metrics'][number]) => string | undefined,
) => (family?.metrics ?? []).reduce((total, sample) => total + (Number(pick(sample) ?? 0) || 0), 0);

export function metricFigures(text: string): MetricFigures {
  const families = new Map(parsePrometheusTextFormat(text).map((f) => [f.name, f]));
  // A gauge a service has not set yet is absent, which is not the same as 0.
  const gauge = (name: string) => {
    const family = families.get(name);
    return family && family.metrics.length > 0 ? sum(family, (s) => s.value) : null;
  };
  return {
    outboxBacklog: gauge('orderflow_outbox_backlog'),
    outboxOldestAgeSeconds: gauge('orderflow_outbox_oldest_age_seconds'),
    consumed: sum(families.get('orderflow_messages_consumed_total'), (s) => s.value),
    deadLettered: sum(families.get('orderflow_messages_dead_lettered_total'), (s) => s.value),
    handlerSeconds: sampleTotal(text, 'orderflow_handler_duration_seconds_sum'),
    handlerCount: sampleTotal(text, 'orderflow_handler_duration_seconds_count'),
  };
}

/**
 * The sum of one series' samples over every label set, read from the lines themselves:
 * parse-prometheus-text-format 1.1.1 drops a histogram's _sum and _count when it has labels
 * other than `le` (every messaging histogram has), so they cannot come from its output.
 */
function sampleTotal(text: string, series: string): number {
  let total = 0;
  for (const line of text.split('\n')) {
    if (!line.startsWith(series)) continue;
    const rest = line.slice(series.length);
    if (rest[0] !== '{' && rest[0] !== ' ') continue; // another series with this prefix
    const value = Number(
      rest
        .slice(rest.lastIndexOf(rest.includes('}') ? '}' : ' ') + 1)
        .trim()
        .split(' ')[0],
    );
    if (Number.isFinite(value)) total += value;
  }
  return total;
}

export interface RatePoint {
  readonly at: string;
  /** Records handled per second across the services over the interval. */
  readonly perSecond: number;
  /** Mean handler time over the interval, in milliseconds; null when nothing was handled. */
  readonly meanHandlerMs: number | null;
}

export interface Totals {
  readonly at: number;
  readonly handlerSeconds: number;
  readonly handlerCount: number;
}

/**
 * Rates between consecutive samples of the summed counters. A counter that went down (a service
 * restarted) starts a new series at that sample instead of showing a negative rate.
 */
export function ratesOf(samples: readonly Totals[]): RatePoint[] {
  const points: RatePoint[] = [];
  for (let i = 1; i < samples.length; i += 1) {
    const [before, after] = [samples[i - 1], samples[i]];
    if (!before || !after) continue;
    const seconds = (after.at - before.at) / 1000;
    const count = after.handlerCount - before.handlerCount;
    const time = after.handlerSeconds - before.handlerSeconds;
    if (seconds <= 0 || count < 0 || time < 0) continue;
    points.push({
      at: new Date(after.at).toISOString(),
      perSecond: count / seconds,
      meanHandlerMs: count === 0 ? null : (time / count) * 1000,
    });
  }
  return points;
}
