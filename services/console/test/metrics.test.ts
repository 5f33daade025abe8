import { describe, expect, it } from '@jest/globals';
import { lagOf } from '../src/health/lag.js';
import { metricFigures, ratesOf } from '../src/health/metrics.js';

const TEXT = `# HELP orderflow_outbox_backlog Outbox rows not yet published.
# TYPE orderflow_outbox_backlog gauge
orderflow_outbox_backlog{service="order-service"} 7
# TYPE orderflow_outbox_oldest_age_seconds gauge
orderflow_outbox_oldest_age_seconds{service="order-service"} 1.5
# TYPE orderflow_messages_consumed_total counter
orderflow_messages_consumed_total{topic="a",type="t",group="g",outcome="ok"} 10
orderflow_messages_consumed_total{topic="b",type="t",group="g",outcome="duplicate"} 2
# TYPE orderflow_messages_dead_lettered_total counter
orderflow_messages_dead_lettered_total{topic="a",group="g",reason="DECODE_FAILED"} 3
# TYPE orderflow_handler_duration_seconds histogram
orderflow_handler_duration_seconds_bucket{le="0.1",topic="a",type="t",group="g"} 4
orderflow_handler_duration_seconds_bucket{le="+Inf",topic="a",type="t",group="g"} 5
orderflow_handler_duration_seconds_sum{topic="a",type="t",group="g"} 0.25
orderflow_handler_duration_seconds_count{topic="a",type="t",group="g"} 5
`;

describe('metricFigures', () => {
  it('reads the outbox gauges and sums the counters over their labels', () => {
    expect(metricFigures(TEXT)).toEqual({
      outboxBacklog: 7,
      outboxOldestAgeSeconds: 1.5,
      consumed: 12,
      deadLettered: 3,
      handlerSeconds: 0.25,
      handlerCount: 5,
    });
  });

  it('says null for a gauge the service has not set, not 0', () => {
    expect(metricFigures('# TYPE orderflow_outbox_backlog gauge\n').outboxBacklog).toBeNull();
  });
});

describe('ratesOf', () => {
  it('turns counter samples into records per second and mean handler time, skipping restarts', () => {
    const points = ratesOf([
      { at: 0, handlerSeconds: 0, handlerCount: 0 },
      { at: 2_000, handlerSeconds: 0.5, handlerCount: 10 },
      { at: 4_000, handlerSeconds: 0.1, handlerCount: 2 }, // restarted: counters went down
      { at: 6_000, handlerSeconds: 0.1, handlerCount: 2 },
    ]);
    expect(points).toEqual([
      { at: new Date(2_000).toISOString(), perSecond: 5, meanHandlerMs: 50 },
      { at: new Date(6_000).toISOString(), perSecond: 0, meanHandlerMs: null },
    ]);
  });
});

describe('lagOf', () => {
  it('is the high watermark minus the committed offset, from the low watermark when never committed', () => {
    const ends = new Map([
      [
        't',
        [
          { partition: 0, high: '10', low: '0' },
          { partition: 1, high: '7', low: '5' },
        ],
      ],
    ]);
    const committed = [
      {
        topic: 't',
        partitions: [
          { partition: 0, offset: '8' },
          { partition: 1, offset: '-1' },
        ],
      },
    ];
    expect(lagOf(committed, ends)).toBe(4);
  });
});
