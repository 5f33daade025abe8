import { describe, expect, it } from '@jest/globals';
import { collectDefaultMetrics, Registry } from 'prom-client';
import {
  httpRequestDuration,
  messagingMetrics,
  METRIC_PREFIX,
  metricsRegistry,
  observeConsumerLag,
  observeSagas,
} from '../src/index.js';

describe('metric names', () => {
  it('puts METRIC_PREFIX on every platform metric; the default process metrics keep their standard names', () => {
    messagingMetrics();
    httpRequestDuration();
    const stopLag = observeConsumerLag(() => Promise.resolve([]));
    const stopSagas = observeSagas(() =>
      Promise.resolve({ byStatus: {}, parked: 0, stepTimeoutsByStep: {} }),
    );
    const defaults = new Registry();
    collectDefaultMetrics({ register: defaults });
    const standard = new Set(defaults.getMetricsAsArray().map((m) => m.name));

    const names = metricsRegistry()
      .getMetricsAsArray()
      .map((m) => m.name);
    const platform = names.filter((name) => !standard.has(name));
    expect(METRIC_PREFIX).toBe('orderflow_');
    expect(platform.filter((name) => !name.startsWith(METRIC_PREFIX))).toEqual([]);
    expect(platform).toEqual(
      expect.arrayContaining([
        'orderflow_messages_consumed_total',
        'orderflow_http_request_duration_seconds',
        'orderflow_consumer_lag',
        'orderflow_sagas',
        'orderflow_sagas_parked',
        'orderflow_saga_step_timeouts',
      ]),
    );
    expect(names).toEqual(
      expect.arrayContaining(['process_cpu_user_seconds_total', 'nodejs_eventloop_lag_seconds']),
    );
    stopLag();
    stopSagas();
  });
});
