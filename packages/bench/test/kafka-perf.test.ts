import { describe, expect, it } from '@jest/globals';
import { parseConsumerPerformance, parseProducerPerformance } from '../src/baselines/kafka-perf.js';

// Output of kafka-tools 4.1.1 against the local broker.
const PRODUCER = `6866 records sent, 1372.4 records/sec (0.39 MB/sec), 583.3 ms avg latency, 2746.0 ms max latency.
20000 records sent, 2632.3 records/sec (0.75 MB/sec), 1225.20 ms avg latency, 2746.00 ms max latency, 1386 ms 50th, 1922 ms 95th, 2231 ms 99th, 2248 ms 99.9th.
`;

const CONSUMER = `start.time, end.time, data.consumed.in.MB, MB.sec, data.consumed.in.nMsg, nMsg.sec, rebalance.time.ms, fetch.time.ms, fetch.MB.sec, fetch.nMsg.sec
2026-11-26 01:12:36:888, 2026-11-26 01:12:44:025, 5.7220, 0.8017, 20000, 2802.2979, 3595, 3542, 1.6155, 5646.5274
`;

describe('parseProducerPerformance', () => {
  it('reads the closing summary, not the interim lines', () => {
    expect(parseProducerPerformance(PRODUCER)).toEqual({
      records: 20000,
      recordsPerSecond: 2632.3,
      mbPerSecond: 0.75,
      avgLatencyMs: 1225.2,
      maxLatencyMs: 2746,
      p50Ms: 1386,
      p95Ms: 1922,
      p99Ms: 2231,
      p999Ms: 2248,
    });
  });

  it('fails with the output when there is no summary', () => {
    expect(() => parseProducerPerformance(PRODUCER.split('\n')[0] ?? '')).toThrow(
      /no ProducerPerformance summary/,
    );
  });
});

describe('parseConsumerPerformance', () => {
  it('reads the values by the header’s field names', () => {
    expect(parseConsumerPerformance(`SLF4J: noise\n${CONSUMER}`)).toEqual({
      messages: 20000,
      mbPerSecond: 0.8017,
      messagesPerSecond: 2802.2979,
      fetchMessagesPerSecond: 5646.5274,
      rebalanceMs: 3595,
    });
  });

  it('fails when the figures are missing', () => {
    expect(() => parseConsumerPerformance('WARN nothing consumed')).toThrow(
      /no ConsumerPerformance/,
    );
  });
});
