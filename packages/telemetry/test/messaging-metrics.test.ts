import { describe, expect, it } from '@jest/globals';
import { METRICS_CONTENT_TYPE, messagingMetrics, metricsText } from '../src/index.js';

describe('messaging metrics', () => {
  it('exposes every declared series in Prometheus text after use', async () => {
    const metrics = messagingMetrics();
    const group = 'inventory-service';
    metrics.produced({ topic: 'orders', type: 'OrderPlaced' });
    metrics.produced({ topic: 'orders', type: 'OrderPlaced' });
    metrics.consumed({ topic: 'orders', type: 'OrderPlaced', group, outcome: 'ok' });
    metrics.consumed({ topic: 'orders', type: 'OrderPlaced', group, outcome: 'duplicate' });
    metrics.retried({ topic: 'orders', group, tier: '5s' });
    metrics.deadLettered({ topic: 'orders', group, reason: 'DECODE_FAILED' });
    metrics.inboxDuplicate({ group });
    metrics.outboxBacklog('order-service', 7);
    metrics.outboxOldestAge('order-service', 1.5);
    metrics.handlerDuration({ topic: 'orders', type: 'OrderPlaced', group }, 0.004);

    const text = await metricsText();

    expect(text).toContain(
      'orderflow_messages_produced_total{topic="orders",type="OrderPlaced"} 2',
    );
    expect(text).toContain(
      `orderflow_messages_consumed_total{topic="orders",type="OrderPlaced",group="${group}",outcome="ok"} 1`,
    );
    expect(text).toContain(
      `orderflow_messages_consumed_total{topic="orders",type="OrderPlaced",group="${group}",outcome="duplicate"} 1`,
    );
    expect(text).toContain(
      `orderflow_messages_retried_total{topic="orders",group="${group}",tier="5s"} 1`,
    );
    expect(text).toContain(
      `orderflow_messages_dead_lettered_total{topic="orders",group="${group}",reason="DECODE_FAILED"} 1`,
    );
    expect(text).toContain(`orderflow_inbox_duplicates_total{group="${group}"} 1`);
    expect(text).toContain('orderflow_outbox_backlog{service="order-service"} 7');
    expect(text).toContain('orderflow_outbox_oldest_age_seconds{service="order-service"} 1.5');
    // 4 ms falls in the 5 ms bucket but not the 2.5 ms one.
    expect(text).toContain(
      `orderflow_handler_duration_seconds_bucket{le="0.0025",topic="orders",type="OrderPlaced",group="${group}"} 0`,
    );
    expect(text).toContain(
      `orderflow_handler_duration_seconds_bucket{le="0.005",topic="orders",type="OrderPlaced",group="${group}"} 1`,
    );
    expect(text).toContain(
      `orderflow_handler_duration_seconds_count{topic="orders",type="OrderPlaced",group="${group}"} 1`,
    );
  });

  it('times a handler with startHandlerTimer', async () => {
    const labels = { topic: 'payments', type: 'PaymentAuthorized', group: 'order-service' };
    const stop = messagingMetrics().startHandlerTimer(labels);
    const seconds = stop();
    expect(seconds).toBeGreaterThanOrEqual(0);
    expect(await metricsText()).toContain(
      'orderflow_handler_duration_seconds_count{topic="payments",type="PaymentAuthorized",group="order-service"} 1',
    );
  });

  it('is one set per process, and the registry includes default Node process metrics', async () => {
    expect(messagingMetrics()).toBe(messagingMetrics());
    const text = await metricsText();
    expect(text).toContain('process_cpu_user_seconds_total');
    expect(text).toContain('nodejs_eventloop_lag_seconds');
    expect(METRICS_CONTENT_TYPE).toMatch(/^text\/plain; version=0\.0\.4/);
  });
});
