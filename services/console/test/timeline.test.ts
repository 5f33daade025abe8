import { describe, expect, it } from '@jest/globals';
import { timelineOf, type LogEntry } from '../web/src/timeline.js';

const at = (s: number) => new Date(Date.UTC(2026, 0, 1, 0, 0, s)).toISOString();
const e = (step: string, status: string, s: number, detail: string | null = null): LogEntry => ({
  step,
  status,
  at: at(s),
  detail,
});

describe('timelineOf', () => {
  it('draws a completed step as one closed forward bar, steps in saga order', () => {
    const t = timelineOf([
      e('PROCESS_PAYMENT', 'STARTED', 2),
      e('RESERVE_INVENTORY', 'STARTED', 0),
      e('RESERVE_INVENTORY', 'SUCCEEDED', 1),
      e('PROCESS_PAYMENT', 'SUCCEEDED', 3),
    ]);
    expect(t.rows.map((r) => r.step)).toEqual(['RESERVE_INVENTORY', 'PROCESS_PAYMENT']);
    expect(t.rows[0]?.bars).toEqual([
      {
        kind: 'forward',
        from: Date.parse(at(0)),
        to: Date.parse(at(1)),
        outcome: 'SUCCEEDED',
        attempt: 1,
      },
    ]);
    expect(t.end - t.start).toBe(3_000);
  });

  it('draws a compensation below its step, a re-sent one as a retry mark', () => {
    const t = timelineOf([
      e('RESERVE_INVENTORY', 'STARTED', 0),
      e('RESERVE_INVENTORY', 'SUCCEEDED', 1),
      e('RESERVE_INVENTORY', 'COMPENSATING', 2),
      e('RESERVE_INVENTORY', 'COMPENSATING', 12),
      e('RESERVE_INVENTORY', 'COMPENSATED', 13),
    ]);
    const row = t.rows[0];
    expect(row?.bars.map((b) => [b.kind, b.outcome])).toEqual([
      ['forward', 'SUCCEEDED'],
      ['compensation', 'COMPENSATED'],
    ]);
    expect(row?.bars[1]?.to).toBe(Date.parse(at(13)));
    expect(row?.marks.map((m) => m.kind)).toEqual(['retry']);
  });

  it('marks a timeout, and a reply after it as late', () => {
    const t = timelineOf([
      e('PROCESS_PAYMENT', 'STARTED', 0),
      e('PROCESS_PAYMENT', 'TIMED_OUT', 15, 'no reply in 15000 ms'),
      e('PROCESS_PAYMENT', 'SUCCEEDED', 17),
    ]);
    const row = t.rows[0];
    expect(row?.bars).toHaveLength(1);
    expect(row?.bars[0]?.outcome).toBe('TIMED_OUT');
    expect(row?.marks.map((m) => [m.kind, m.status])).toEqual([
      ['timeout', 'TIMED_OUT'],
      ['late', 'SUCCEEDED'],
    ]);
  });

  it('shows a step started again as a new attempt with a retry mark, and unknown statuses as marks', () => {
    const t = timelineOf([
      e('PROCESS_PAYMENT', 'STARTED', 0),
      e('PROCESS_PAYMENT', 'RETRY_SCHEDULED', 1),
      e('PROCESS_PAYMENT', 'STARTED', 2),
      e('PROCESS_PAYMENT', 'SUCCEEDED', 3),
    ]);
    const row = t.rows[0];
    expect(row?.bars.map((b) => [b.attempt, b.outcome])).toEqual([
      [1, null],
      [2, 'SUCCEEDED'],
    ]);
    expect(row?.marks.map((m) => [m.kind, m.status])).toEqual([
      ['retry', 'RETRY_SCHEDULED'],
      ['retry', 'STARTED'],
    ]);
  });

  it('leaves a running step open up to now', () => {
    const now = Date.parse(at(30));
    const t = timelineOf([e('RESERVE_INVENTORY', 'STARTED', 0)], now);
    expect(t.rows[0]?.bars[0]).toMatchObject({ outcome: null, to: now });
    expect(t.end).toBe(now);
  });
});
