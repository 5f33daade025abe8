import { describe, expect, it } from '@jest/globals';
import { decide, type SagaInput, type SagaStep } from '../src/domain/index.js';
import { ORDER_ID, POLICY, Run, expectIgnored, msg } from './fixtures.js';

describe('order saga: step deadlines', () => {
  const cases: { step: SagaStep; before: () => SagaInput[]; undo: string[] }[] = [
    { step: 'RESERVE_INVENTORY', before: () => [], undo: [] },
    // Payment's outcome is unknown when given up: the void (RefundPayment) goes first.
    {
      step: 'PROCESS_PAYMENT',
      before: () => [msg.reserved()],
      undo: ['saga.RefundPayment', 'saga.ReleaseInventory'],
    },
    {
      step: 'COMMIT_INVENTORY',
      before: () => [msg.reserved(), msg.captured()],
      undo: ['saga.RefundPayment', 'saga.ReleaseInventory'],
    },
    {
      step: 'SCHEDULE_SHIPMENT',
      before: () => [msg.reserved(), msg.captured(), msg.committed()],
      undo: ['saga.RestockInventory', 'saga.RefundPayment'],
    },
  ];
  const confirmations: Record<string, SagaInput> = {
    'saga.ReleaseInventory': msg.released(),
    'saga.RefundPayment': msg.refunded(),
    'saga.RestockInventory': msg.restocked(),
  };

  it.each(cases)(
    'a silent $step past its deadline fails it and compensates',
    ({ step, before, undo }) => {
      const run = new Run();
      const prior = before();
      if (prior.length > 0) run.feed(...prior);
      const started = run.now;
      const d = run.feed(msg.stepDeadline(step));
      expect(run.now - started).toBe(POLICY.steps[step].deadlineMs); // fired exactly when due
      expect(run.logLines()).toContain(`${step}:TIMED_OUT`);
      for (const [i, command] of undo.entries()) {
        const sent = i === 0 ? d.commands : run.decisions.at(-1)?.commands;
        expect(sent?.map((c) => c.type)).toEqual([command]);
        const confirmation = confirmations[command];
        if (confirmation === undefined) throw new Error(`no confirmation for ${command}`);
        run.feed(confirmation);
      }
      expect(run.outcomes()).toEqual(['saga.SagaCancelled']);
      expect(run.events.at(-1)?.payload).toMatchObject({
        orderId: ORDER_ID,
        reason: 'STEP_TIMEOUT',
        failedStep: step,
      });
      expect(run.state.log.find((e) => e.status === 'TIMED_OUT')?.detail).toMatch(
        /no reply to saga\.\w+ within \d+ ms/,
      );
    },
  );

  it('ignores a deadline that fires early (skewed scheduler clock)', () => {
    const run = new Run();
    run.feed(msg.reserved());
    const before = run.state;
    const dueAt = before.deadline?.dueAt ?? 0;
    // decide() directly: Run's clock always jumps to the due time.
    const early = decide(before, msg.stepDeadline('PROCESS_PAYMENT'), dueAt - 1);
    expectIgnored(early, before, 'early-deadline');
    expect(decide(before, msg.stepDeadline('PROCESS_PAYMENT'), dueAt).state.status).toBe(
      'COMPENSATING',
    );
  });

  it('ignores a stale deadline of a step that already replied', () => {
    const run = new Run();
    run.feed(msg.reserved());
    const before = run.state;
    expectIgnored(run.feed(msg.stepDeadline('RESERVE_INVENTORY')), before, 'stale-deadline');
  });
});

describe('order saga: late replies', () => {
  it('a late failure after the step was given up is logged once and changes nothing else', () => {
    const run = new Run();
    run.feed(msg.reserved(), msg.stepDeadline('PROCESS_PAYMENT'), msg.voided(), msg.released());
    expect(run.state.status).toBe('CANCELLED');
    const late = run.feed(msg.declined());
    expect(late.commands).toEqual([]);
    expect(late.events.map((e) => e.type)).toEqual(['saga.SagaStepsChanged']);
    expect(run.state.log.at(-1)).toMatchObject({
      step: 'PROCESS_PAYMENT',
      status: 'FAILED',
      detail: 'late reply after the step was given up: payment declined (INSUFFICIENT_FUNDS)',
    });
    expect(run.state).toMatchObject({ status: 'CANCELLED', deadline: null });
    const before = run.state;
    expectIgnored(run.feed(msg.declined()), before, 'duplicate');
  });

  it('voids a payment given up on: no capture, then the release, then SagaCancelled with 0 charged', () => {
    const run = new Run();
    const d = run.feed(msg.reserved(), msg.stepDeadline('PROCESS_PAYMENT'));
    expect(d.commands).toEqual([
      {
        type: 'saga.RefundPayment',
        attempt: 1,
        payload: { orderId: ORDER_ID, amountMinor: 2500, currency: 'EUR' },
      },
    ]);
    expect(run.feed(msg.voided()).commands.map((c) => c.type)).toEqual(['saga.ReleaseInventory']);
    run.feed(msg.released());
    expect(run.outcomes()).toEqual(['saga.SagaCancelled']);
    expect(run.events.at(-1)?.payload).toMatchObject({
      reason: 'STEP_TIMEOUT',
      chargedMinor: 0,
      refundedMinor: 0,
    });
    // A success after the confirmed void cannot be real (payment refuses charges after it).
    const before = run.state;
    expectIgnored(run.feed(msg.captured()), before, 'duplicate');
  });

  it('a capture that lands while the void is in flight is undone by that void', () => {
    const run = new Run();
    run.feed(msg.reserved(), msg.stepDeadline('PROCESS_PAYMENT')); // the void in flight
    const late = run.feed(msg.captured());
    expect(late.commands).toEqual([]);
    expect(run.state.compensationStack).toEqual(['RESERVE_INVENTORY']);
    expect(run.state.log.at(-1)?.detail).toMatch(/the void in flight undoes it/);
    expect(run.feed(msg.refunded()).commands.map((c) => c.type)).toEqual(['saga.ReleaseInventory']);
    run.feed(msg.released());
    expect(run.commandTypes().filter((t) => t === 'saga.RefundPayment')).toHaveLength(1);
    expect(run.outcomes()).toEqual(['saga.SagaCancelled']);
    expect(run.events.at(-1)?.payload).toMatchObject({ chargedMinor: 2500, refundedMinor: 2500 });
  });

  it('a late InventoryReserved after reservation timed out is released', () => {
    const run = new Run();
    run.feed(msg.stepDeadline('RESERVE_INVENTORY'));
    expect(run.outcomes()).toEqual(['saga.SagaCancelled']);
    expect(run.feed(msg.reserved()).commands.map((c) => c.type)).toEqual(['saga.ReleaseInventory']);
    expect(run.commandTypes()).not.toContain('saga.ProcessPayment');
    run.feed(msg.released());
    expect(run.state).toMatchObject({ status: 'CANCELLED', deadline: null });
  });

  it('a late InventoryCommitted replaces the pending release with a restock', () => {
    const run = new Run();
    run.feed(msg.reserved(), msg.captured(), msg.stepDeadline('COMMIT_INVENTORY')); // Refund in flight
    run.feed(msg.committed());
    expect(run.state.compensationStack).toEqual(['COMMIT_INVENTORY']);
    run.feed(msg.refunded(), msg.restocked());
    expect(run.commandTypes().slice(3)).toEqual(['saga.RefundPayment', 'saga.RestockInventory']);
    expect(run.state.status).toBe('CANCELLED');
  });

  it('a late ShipmentScheduled after shipping timed out is cancelled', () => {
    const run = new Run();
    run.feed(
      msg.reserved(),
      msg.captured(),
      msg.committed(),
      msg.stepDeadline('SCHEDULE_SHIPMENT'),
    );
    run.feed(msg.scheduled()); // arrives while the restock is in flight
    run.feed(msg.restocked());
    expect(run.decisions.at(-1)?.commands.map((c) => c.type)).toEqual(['saga.CancelShipment']);
    run.feed(msg.shipCancelled(), msg.refunded());
    expect(run.commandTypes().slice(4)).toEqual([
      'saga.RestockInventory',
      'saga.CancelShipment',
      'saga.RefundPayment',
    ]);
    expect(run.outcomes()).toEqual(['saga.SagaCancelled']);
  });
});
