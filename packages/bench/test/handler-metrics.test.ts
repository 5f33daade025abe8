import { describe, expect, it } from '@jest/globals';
import { handlerTime, parseHandlerTotals } from '../src/platform/handler-metrics.js';

const METRICS = `# HELP orderflow_handler_duration_seconds Time spent in a message handler, including its inbox/outbox transaction.
# TYPE orderflow_handler_duration_seconds histogram
orderflow_handler_duration_seconds_bucket{le="0.005",topic="orders.events",type="orders.OrderPlaced",group="order-saga"} 10
orderflow_handler_duration_seconds_sum{topic="orders.events",type="orders.OrderPlaced",group="order-saga"} 21.302
orderflow_handler_duration_seconds_count{topic="orders.events",type="orders.OrderPlaced",group="order-saga"} 263
orderflow_handler_duration_seconds_sum{topic="inventory.events",type="inventory.InventoryReserved",group="order-saga"} 24.143
orderflow_handler_duration_seconds_count{topic="inventory.events",type="inventory.InventoryReserved",group="order-saga"} 237
orderflow_messages_consumed_total{topic="orders.events"} 500
`;

describe('handler metrics', () => {
  it('sums the histogram over its label sets, ignoring buckets and other metrics', () => {
    const totals = parseHandlerTotals(METRICS);
    expect(totals.count).toBe(500);
    expect(totals.sumSeconds).toBeCloseTo(45.445);
  });

  it('reads a service without the histogram as zero', () => {
    expect(parseHandlerTotals('nodejs_heap_size_total_bytes 1\n')).toEqual({
      count: 0,
      sumSeconds: 0,
    });
  });

  it('takes the mean time per record handled between two readings', () => {
    expect(handlerTime({ count: 100, sumSeconds: 1 }, { count: 300, sumSeconds: 2 })).toEqual({
      records: 200,
      meanMs: 5,
    });
    expect(
      handlerTime({ count: 3, sumSeconds: 1 }, { count: 3, sumSeconds: 1 }).meanMs,
    ).toBeUndefined();
  });
});
