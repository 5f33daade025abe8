import type { PlatformStep, RunRecord } from '../src/results.js';
import type { Summary } from '../src/stats.js';

/** A small, fixed run record for the report tests. */
export function latency(p50: number, p99: number): Summary {
  return {
    count: 100,
    min: p50 / 2,
    mean: p50 * 1.1,
    p50,
    p95: (p50 + p99) / 2,
    p99,
    max: p99 * 1.5,
  };
}

export function platformStep(rate: number, overrides: Partial<PlatformStep> = {}): PlatformStep {
  return {
    rate,
    durationSeconds: 5,
    sent: rate * 5,
    accepted: rate * 5,
    httpErrors: {},
    completed: rate * 5,
    cancelled: 0,
    cancelReasons: {},
    otherStatus: {},
    completedPerSecond: rate * 0.98,
    latencyMs: latency(40, 150),
    acceptMs: latency(3, 12),
    generatorLateMs: 1,
    lag: {
      samples: 6,
      maxByGroup: { 'order-saga': 40 },
      endByGroup: { 'order-saga': 0 },
      slopePerSecond: 0.5,
      growing: false,
      recordsWritten: rate * 5 * 19,
    },
    recordsPerOrder: 19,
    commitsPerOrder: 31,
    windowSeconds: 5.4,
    resources: [
      {
        name: 'order-service',
        kind: 'service',
        cpuSeconds: 1,
        cores: 0.2,
        peakRssMb: 140,
        lifetimePeakRssMb: 150,
      },
      {
        name: 'order-saga',
        kind: 'service',
        cpuSeconds: 1.5,
        cores: 0.3,
        peakRssMb: 120,
        lifetimePeakRssMb: 125,
      },
      {
        name: 'kafka',
        kind: 'jvm',
        cpuSeconds: 0.5,
        cores: 0.1,
        peakRssMb: 500,
        lifetimePeakRssMb: 510,
      },
      { name: 'postgres', kind: 'postgres', cpuSeconds: 0.8, cores: 0.15, peakRssMb: 160 },
      {
        name: '  postgres: orderflow_saga',
        kind: 'database',
        cpuSeconds: 0.3,
        cores: 0.06,
        peakRssMb: 120,
      },
      { name: 'other processes', kind: 'other', cpuSeconds: 4, cores: 0.8, peakRssMb: 0 },
      {
        name: 'bench (this process)',
        kind: 'bench',
        cpuSeconds: 0.2,
        cores: 0.04,
        peakRssMb: 90,
        lifetimePeakRssMb: 95,
      },
    ],
    handlers: {
      'order-saga': { records: rate * 5 * 5, meanMs: 4.2 },
      'order-service': { records: rate * 5 * 9, meanMs: 3.1 },
    },
    ...overrides,
  };
}

export function runRecord(overrides: Partial<RunRecord> = {}): RunRecord {
  return {
    startedAt: '2026-11-26T01:00:00.000Z',
    finishedAt: '2026-11-26T01:05:00.000Z',
    command: ['--duration', '5', '--rates', '10,30'],
    machine: {
      cpus: 2,
      loadAverageBefore: [0.5, 0.4, 0.3],
      loadAverageAfter: [1.5, 1, 0.5],
      node: 'v24.21.0',
    },
    hops: 10,
    platform: [platformStep(10), platformStep(30, { latencyMs: latency(60, 250) })],
    chain: [10, 30].map((rate) => ({
      rate,
      hops: 10,
      sent: rate * 5,
      delivered: rate * 5,
      deliveredPerSecond: rate,
      latencyMs: latency(8, 20),
      windowSeconds: 5.1,
      resources: [],
    })),
    kafkaPerf: {
      version: '4.1.1',
      recordSize: 300,
      producerMax: {
        records: 1000,
        recordsPerSecond: 50_000,
        mbPerSecond: 14,
        avgLatencyMs: 20,
        maxLatencyMs: 90,
        p50Ms: 15,
        p95Ms: 40,
        p99Ms: 60,
        p999Ms: 80,
      },
      producerAtPlatformRate: {
        records: 5600,
        recordsPerSecond: 560,
        mbPerSecond: 0.2,
        avgLatencyMs: 2,
        maxLatencyMs: 9,
        p50Ms: 2,
        p95Ms: 4,
        p99Ms: 5,
        p999Ms: 8,
      },
      consumer: {
        messages: 1000,
        mbPerSecond: 20,
        messagesPerSecond: 40_000,
        fetchMessagesPerSecond: 80_000,
        rebalanceMs: 3000,
      },
    },
    pgbench: {
      version: 'pgbench (PostgreSQL) 15.20',
      concurrent: {
        clients: 8,
        seconds: 10,
        transactions: 20_000,
        failed: 0,
        tps: 2000,
        latencyAvgMs: 4,
      },
      single: {
        clients: 1,
        seconds: 10,
        transactions: 5_000,
        failed: 0,
        tps: 500,
        latencyAvgMs: 2,
      },
      script: 'BEGIN;\nCOMMIT;\n',
    },
    skipped: [],
    ...overrides,
  };
}
