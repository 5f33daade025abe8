import { describe, expect, it } from '@jest/globals';
import { ORDER_ID, POLICY, Run, expectIgnored, msg } from './fixtures.js';

/** A saga whose payment was declined, so ReleaseInventory (attempt 1) is awaiting confirmation. */
function releasing(): Run {
  const run = new Run();
  run.feed(msg.reserved(), msg.declined());
  return run;
}

describe('order saga: unconfirmed compensations', () => {
  it('re-sends the same compensation when its confirmation is overdue', () => {
    const run = releasing();
    const started = run.now;
    const d = run.feed(msg.compDeadline('RESERVE_INVENTORY', 1));
    expect(run.now - started).toBe(POLICY.compensationTimeoutMs.RESERVE_INVENTORY);
    expect(d.commands).toEqual([
      { type: 'saga.ReleaseInventory', attempt: 2, payload: { orderId: ORDER_ID } },
    ]);
    expect(run.state.deadline).toMatchObject({ kind: 'compensation', attempt: 2 });
    expect(run.state.log.at(-1)).toMatchObject({
      step: 'RESERVE_INVENTORY',
      status: 'COMPENSATING',
      detail: 'no confirmation of saga.ReleaseInventory within 500 ms (attempt 1)',
    });
  });

  it('a confirmation of any attempt completes the compensation', () => {
    const run = releasing();
    run.feed(msg.compDeadline('RESERVE_INVENTORY', 1), msg.released());
    expect(run.state.status).toBe('CANCELLED');
    expect(run.outcomes()).toEqual(['saga.SagaCancelled']);
  });

  it(`parks the saga after ${POLICY.maxCompensationAttempts} unconfirmed sends`, () => {
    const run = releasing();
    run.feed(
      msg.compDeadline('RESERVE_INVENTORY', 1),
      msg.compDeadline('RESERVE_INVENTORY', 2),
      msg.compDeadline('RESERVE_INVENTORY', 3),
    );
    const releases = run.commands.filter((c) => c.type === 'saga.ReleaseInventory');
    expect(releases.map((c) => c.attempt)).toEqual([1, 2, 3]);
    expect(run.state).toMatchObject({ status: 'FAILED_NEEDS_ATTENTION', deadline: null });
    expect(run.outcomes()).toEqual(['saga.SagaParked']);
    expect(run.events.at(-1)).toEqual({
      type: 'saga.SagaParked',
      payload: {
        orderId: ORDER_ID,
        step: 'RESERVE_INVENTORY',
        attempts: 3,
        lastError: 'no confirmation of saga.ReleaseInventory within 500 ms (attempt 3)',
      },
    });
    expect(run.logLines().at(-1)).toBe('RESERVE_INVENTORY:COMPENSATION_FAILED');
  });

  it('a parked saga stays put until something happens: old deadlines are stale', () => {
    const run = releasing();
    run.feed(...[1, 2, 3].map((a) => msg.compDeadline('RESERVE_INVENTORY', a)));
    const parked = run.state;
    expectIgnored(run.feed(msg.compDeadline('RESERVE_INVENTORY', 3)), parked, 'stale-deadline');
  });

  it('a late confirmation resumes a parked saga and it ends CANCELLED', () => {
    const run = releasing();
    run.feed(...[1, 2, 3].map((a) => msg.compDeadline('RESERVE_INVENTORY', a)));
    run.feed(msg.released());
    expect(run.state).toMatchObject({ status: 'CANCELLED', deadline: null, compensating: null });
    expect(run.outcomes()).toEqual(['saga.SagaParked', 'saga.SagaCancelled']);
  });

  it('a park after the outcome went out is resolved with SagaCancelled again, so the order follows', () => {
    // Cancelled (shipping timed out, everything undone), then shipping's late success: its
    // CancelShipment is never confirmed, the saga parks, and a late confirmation resolves it.
    const run = new Run();
    run.feed(
      msg.reserved(),
      msg.captured(),
      msg.committed(),
      msg.stepDeadline('SCHEDULE_SHIPMENT'),
    );
    run.feed(msg.restocked(), msg.refunded());
    expect(run.state.status).toBe('CANCELLED');
    run.feed(msg.scheduled());
    run.feed(...[1, 2, 3].map((a) => msg.compDeadline('SCHEDULE_SHIPMENT', a)));
    expect(run.state.status).toBe('FAILED_NEEDS_ATTENTION');
    run.feed(msg.shipCancelled());
    expect(run.state.status).toBe('CANCELLED');
    expect(run.outcomes()).toEqual(['saga.SagaCancelled', 'saga.SagaParked', 'saga.SagaCancelled']);
    const [first, again] = run.events.filter((e) => e.type === 'saga.SagaCancelled');
    expect(again).toEqual(first);
  });

  it('an operator resume re-sends with a fresh budget', () => {
    const run = releasing();
    run.feed(...[1, 2, 3].map((a) => msg.compDeadline('RESERVE_INVENTORY', a)));
    const d = run.feed(msg.resume());
    expect(d.commands).toEqual([
      { type: 'saga.ReleaseInventory', attempt: 4, payload: { orderId: ORDER_ID } },
    ]);
    expect(run.state).toMatchObject({
      status: 'COMPENSATING',
      compensating: { attempt: 4, sendsLeft: 2 },
    });
    run.feed(msg.compDeadline('RESERVE_INVENTORY', 4), msg.compDeadline('RESERVE_INVENTORY', 5));
    expect(run.state.status).toBe('COMPENSATING');
    run.feed(msg.compDeadline('RESERVE_INVENTORY', 6));
    expect(run.state.status).toBe('FAILED_NEEDS_ATTENTION');
  });

  it('resume is ignored unless the saga is parked', () => {
    const run = releasing();
    const before = run.state;
    expectIgnored(run.feed(msg.resume()), before, 'unexpected');
  });

  it('parking halts the unwinding: later compensations wait for the stuck one', () => {
    const run = new Run();
    run.feed(msg.reserved(), msg.captured(), msg.committed(), msg.shipRejected());
    run.feed(...[1, 2, 3].map((a) => msg.compDeadline('COMMIT_INVENTORY', a)));
    expect(run.state.status).toBe('FAILED_NEEDS_ATTENTION');
    expect(run.commandTypes()).not.toContain('saga.RefundPayment');
    expect(run.state.compensationStack).toEqual(['PROCESS_PAYMENT']);
    // The stuck restock's late confirmation resumes the unwinding where it stopped.
    run.feed(msg.restocked());
    expect(run.decisions.at(-1)?.commands.map((c) => c.type)).toEqual(['saga.RefundPayment']);
    run.feed(msg.refunded());
    expect(run.state.status).toBe('CANCELLED');
  });

  it('a late success while parked is owed but waits behind the stuck compensation', () => {
    const run = new Run();
    run.feed(
      msg.reserved(),
      msg.captured(),
      msg.committed(),
      msg.stepDeadline('SCHEDULE_SHIPMENT'),
    );
    run.feed(...[1, 2, 3].map((a) => msg.compDeadline('COMMIT_INVENTORY', a)));
    const late = run.feed(msg.scheduled());
    expect(late.commands).toEqual([]);
    expect(run.state).toMatchObject({
      status: 'FAILED_NEEDS_ATTENTION',
      compensationStack: ['PROCESS_PAYMENT', 'SCHEDULE_SHIPMENT'],
    });
    expect(run.feed(msg.restocked()).commands.map((c) => c.type)).toEqual(['saga.CancelShipment']);
    run.feed(msg.shipCancelled(), msg.refunded());
    expect(run.state.status).toBe('CANCELLED');
  });
});
