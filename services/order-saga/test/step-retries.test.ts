import { describe, expect, it } from '@jest/globals';
import { readFileSync } from 'node:fs';
import { stepTable, upcastState, type SagaPolicy, type SagaState } from '../src/domain/index.js';
import { POLICY, Run, T0, expectIgnored, msg } from './fixtures.js';

/** Reservation re-sent after 1 s, 2 s, then every 3 s (the cap), given up 10 s after the first send. */
const RETRYING: SagaPolicy = {
  ...POLICY,
  steps: {
    ...POLICY.steps,
    RESERVE_INVENTORY: {
      attemptTimeoutMs: 1_000,
      backoffCoefficient: 2,
      maxAttemptTimeoutMs: 3_000,
      deadlineMs: 10_000,
    },
  },
};

describe('order saga: step retry policy', () => {
  it('re-sends the same command with backoff until the step deadline, then gives up', () => {
    const run = new Run(RETRYING);
    const first = run.commands[0];
    const sentAt: number[] = [];
    for (let attempt = 1; attempt <= 4; attempt += 1) {
      const d = run.feed(msg.stepDeadline('RESERVE_INVENTORY', attempt));
      sentAt.push(run.now - T0);
      // The same command again (participants dedupe per order); only the attempt differs.
      expect(d.commands).toEqual([{ ...first, attempt: attempt + 1 }]);
      expect(run.state).toMatchObject({ status: 'RUNNING', current: 'RESERVE_INVENTORY' });
    }
    // Waits of 1, 2, 3 (capped) and 3 s; the fifth send waits only until the 10 s deadline.
    expect(sentAt).toEqual([1_000, 3_000, 6_000, 9_000]);
    expect(run.state.deadline).toMatchObject({ attempt: 5, dueAt: T0 + 10_000 });

    const last = run.feed(msg.stepDeadline('RESERVE_INVENTORY', 5));
    expect(run.now - T0).toBe(10_000);
    expect(last.commands).toEqual([]);
    expect(run.outcomes()).toEqual(['saga.SagaCancelled']);
    expect(run.state.log.at(-1)).toMatchObject({
      status: 'TIMED_OUT',
      detail: 'no reply to saga.ReserveInventory within 10000 ms (5 sends)',
    });
    expect(run.logLines().filter((l) => l === 'RESERVE_INVENTORY:STARTED')).toHaveLength(5);
  });

  it('a reply to any send completes the step; the older attempt deadline is then stale', () => {
    const run = new Run(RETRYING);
    run.feed(msg.stepDeadline('RESERVE_INVENTORY', 1));
    expect(run.state.log.at(-1)?.detail).toBe(
      'attempt 2: no reply to saga.ReserveInventory after 1000 ms; re-sent',
    );
    run.feed(msg.reserved());
    expect(run.state.current).toBe('PROCESS_PAYMENT');
    const before = run.state;
    expectIgnored(run.feed(msg.stepDeadline('RESERVE_INVENTORY', 2)), before, 'stale-deadline');
  });

  it('reads a saga saved before step retries with its single reply timeout', () => {
    const run = new Run();
    const { steps: _steps, ...rest } = run.state.policy;
    const legacyTimeouts = {
      RESERVE_INVENTORY: 1,
      PROCESS_PAYMENT: 2,
      COMMIT_INVENTORY: 3,
      SCHEDULE_SHIPMENT: 4,
    };
    const saved = {
      ...run.state,
      policy: { ...rest, stepTimeoutMs: legacyTimeouts },
    } as unknown as SagaState;
    const upcast = upcastState(saved);
    expect(upcast.policy.steps.COMMIT_INVENTORY).toEqual({
      attemptTimeoutMs: 3,
      backoffCoefficient: 1,
      maxAttemptTimeoutMs: 3,
      deadlineMs: 3,
    });
    expect(upcastState(run.state)).toBe(run.state);
  });

  it.each(['../README.md', '../../../docs/architecture.md'])(
    "is what %s's step table says (printed from the step definitions)",
    (doc) => {
      expect(readFileSync(new URL(doc, import.meta.url), 'utf8')).toContain(stepTable());
    },
  );
});
