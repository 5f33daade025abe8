import { collectDefaultMetrics, Registry } from 'prom-client';

/** The value for the `Content-Type` header of a `/metrics` response. */
export const METRICS_CONTENT_TYPE: string = Registry.PROMETHEUS_CONTENT_TYPE;

let registry: Registry | undefined;

/**
 * This process's Prometheus registry, with Node's default process metrics (CPU, memory, GC,
 * event-loop lag). Created on first use so processes that never expose metrics pay nothing.
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
