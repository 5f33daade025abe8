import { collectDefaultMetrics, Registry } from 'prom-client';

/**
 * The prefix of every metric the platform defines (`orderflow_messages_consumed_total`), so its
 * series stand apart from other applications' in a shared Prometheus and a query or dashboard
 * can select them all (`{__name__=~"orderflow_.+"}`). Declare a metric as
 * `` `${METRIC_PREFIX}name` ``; never retype the prefix.
 *
 * Node's default process metrics keep their standard names (`process_cpu_user_seconds_total`,
 * `nodejs_eventloop_lag_seconds`): every Prometheus client library exports `process_*` under the
 * same names, so stock dashboards and alerts for them work unchanged, and they describe the Node
 * process rather than the platform; the `job` label already tells which service they come from.
 */
export const METRIC_PREFIX = 'orderflow_';

/** The value for the `Content-Type` header of a `/metrics` response. */
export const METRICS_CONTENT_TYPE: string = Registry.PROMETHEUS_CONTENT_TYPE;

let registry: Registry | undefined;

/**
 * This process's Prometheus registry, with Node's default process metrics (CPU, memory, GC,
 * event-loop lag) under their standard unprefixed names (see METRIC_PREFIX). Created on first use so processes that never expose metrics pay nothing.
 */
export function metricsRegistry(): Registry {
  if (registry === undefined) {
    registry = new Registry();
    collectDefaultMetrics({ register: registry });
  }
  return registry;
}

/** The body of a `/metrics` response, in Prometheus text format. */
export function metricsText(): Promise<string> {
  return metricsRegistry().metrics();
}
