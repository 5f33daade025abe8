import { describe, expect, it } from '@jest/globals';
import { decide, type SagaInput, type SagaStep } from '../src/domain/index.js';
import { ORDER_ID, POLICY, Run, expectIgnored, msg } from './fixtures.js';

describe('order saga: step deadlines', () => {
  const cases: { step: SagaStep; before: () => SagaInput[]; undo: string[] }[] = [
    { step: 'RESERVE_INVENTORY', before: () => [], undo: [] },
    { step: 'PROCESS_PAYMENT', before: () => [msg.reserved()], undo: ['saga.ReleaseInventory'] },
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
      expect(run.now - started).toBe(POLICY.stepTimeoutMs[step]); // fired exactly when due
      expect(run.state.steps[step]).toBe('TIMED_OUT');
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
  it('a late failure after the step timed out changes nothing', () => {
    const run = new Run();
    run.feed(msg.reserved(), msg.stepDeadline('PROCESS_PAYMENT'), msg.released());
    const before = run.state;
    expectIgnored(run.feed(msg.declined()), before, 'late');
    expect(run.state.status).toBe('CANCELLED');
  });

  it('a late PaymentCaptured after payment timed out (saga already cancelled) is refunded', () => {
    const run = new Run();
    run.feed(msg.reserved(), msg.stepDeadline('PROCESS_PAYMENT'), msg.released());
    expect(run.outcomes()).toEqual(['saga.SagaCancelled']);

    const d = run.feed(msg.captured());
    expect(d.commands).toEqual([
      {
        type: 'saga.RefundPayment',
        attempt: 1,
        payload: { orderId: ORDER_ID, amountMinor: 2500, currency: 'EUR' },
      },
    ]);
    expect(run.state.status).toBe('COMPENSATING');
    expect(run.state.deadline?.kind).toBe('compensation');

    run.feed(msg.refunded());
    expect(run.state.status).toBe('CANCELLED');
    expect(run.outcomes()).toEqual(['saga.SagaCancelled']); // the outcome is not announced twice
    expect(run.logLines().slice(-3)).toEqual([
      'PROCESS_PAYMENT:SUCCEEDED',
      'PROCESS_PAYMENT:COMPENSATING',
      'PROCESS_PAYMENT:COMPENSATED',
    ]);
  });

  it('a late success while another compensation is in flight is queued, then undone', () => {
    const run = new Run();
    run.feed(msg.reserved(), msg.stepDeadline('PROCESS_PAYMENT')); // Release in flight
    const late = run.feed(msg.captured());
    expect(late.commands).toEqual([]);
    expect(run.state.compensationStack).toEqual(['PROCESS_PAYMENT']);
    const next = run.feed(msg.released());
    expect(next.commands.map((c) => c.type)).toEqual(['saga.RefundPayment']);
    run.feed(msg.refunded());
    expect(run.outcomes()).toEqual(['saga.SagaCancelled']);
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
