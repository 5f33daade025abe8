import { describe, expect, it } from '@jest/globals';
import { start } from '../src/domain/index.js';
import { ORDER_ID, POLICY, Run, T0, msg } from './fixtures.js';

describe('order saga: happy path', () => {
  it('starts with ReserveInventory for the ordered lines and a step-1 deadline', () => {
    const run = new Run();
    expect(run.commands).toEqual([
      {
        type: 'saga.ReserveInventory',
        attempt: 1,
        payload: { orderId: ORDER_ID, lines: [{ sku: 'SKU-1', quantity: 2 }] },
      },
    ]);
    expect(run.state).toMatchObject({
      status: 'RUNNING',
      current: 'RESERVE_INVENTORY',
      version: 1,
    });
    expect(run.state.deadline).toEqual({
      kind: 'step',
      step: 'RESERVE_INVENTORY',
      attempt: 1,
      dueAt: T0 + POLICY.steps.RESERVE_INVENTORY.deadlineMs,
      giveUpAt: T0 + POLICY.steps.RESERVE_INVENTORY.deadlineMs,
    });
  });

  it('emits exactly the four commands in order, then SagaCompleted', () => {
    const run = new Run();
    run.feed(msg.reserved(), msg.captured(), msg.committed(), msg.scheduled());
    expect(run.commandTypes()).toEqual([
      'saga.ReserveInventory',
      'saga.ProcessPayment',
      'saga.CommitInventory',
      'saga.ScheduleShipment',
    ]);
    expect(run.outcomes()).toEqual(['saga.SagaCompleted']);
    expect(run.events.at(-1)).toEqual({
      type: 'saga.SagaCompleted',
      payload: {
        orderId: ORDER_ID,
        lines: [{ sku: 'SKU-1', quantity: 2, unitAmountMinor: 1250, lineAmountMinor: 2500 }],
        amountMinor: 2500,
        currency: 'EUR',
        trackingNumber: 'TRK-1',
      },
    });
    expect(run.state).toMatchObject({
      status: 'COMPLETED',
      current: null,
      deadline: null,
      compensationStack: [],
      version: 5,
    });
  });

  it('charges the total priced by inventory, never a client price, with the order token', () => {
    const run = new Run();
    const d = run.feed(msg.reserved());
    // Not after the step's overall deadline: from then on the saga voids the payment.
    const notAfter = run.now + POLICY.steps.PROCESS_PAYMENT.deadlineMs;
    expect(run.state.deadline?.giveUpAt).toBe(notAfter);
    expect(d.commands).toEqual([
      {
        type: 'saga.ProcessPayment',
        attempt: 1,
        payload: {
          orderId: ORDER_ID,
          customerId: 'c-1',
          paymentToken: 'tok_approve',
          amountMinor: 2500,
          currency: 'EUR',
          notAfter,
        },
      },
    ]);
  });

  it('sends no token for a saga persisted before OrderPlaced v3, so payment declines it', () => {
    const run = new Run();
    const { paymentToken: _dropped, ...legacyOrder } = run.state.order;
    run.state = { ...run.state, order: legacyOrder };
    const [command] = run.feed(msg.reserved()).commands;
    expect(command?.payload).toMatchObject({ paymentToken: null });
  });

  it('ships the ordered lines to the order address', () => {
    const run = new Run();
    const d = run.feed(msg.reserved(), msg.captured(), msg.committed());
    expect(d.commands[0]).toMatchObject({
      type: 'saga.ScheduleShipment',
      payload: { lines: [{ sku: 'SKU-1', quantity: 2 }], address: { country: 'DE' } },
    });
  });

  it("logs every transition and sends each decision's entries as one SagaStepsChanged", () => {
    const run = new Run();
    run.feed(msg.reserved(), msg.captured(), msg.committed(), msg.scheduled());
    expect(run.logLines()).toEqual([
      'RESERVE_INVENTORY:STARTED',
      'RESERVE_INVENTORY:SUCCEEDED',
      'PROCESS_PAYMENT:STARTED',
      'PROCESS_PAYMENT:SUCCEEDED',
      'COMMIT_INVENTORY:STARTED',
      'COMMIT_INVENTORY:SUCCEEDED',
      'SCHEDULE_SHIPMENT:STARTED',
      'SCHEDULE_SHIPMENT:SUCCEEDED',
    ]);
    // One record per decision (placed, then each of the four replies), ahead of its other
    // events, carrying exactly the entries that decision logged.
    const perDecision = run.decisions.map((d) =>
      d.events.flatMap((e) => (e.type === 'saga.SagaStepsChanged' ? [e.payload] : [])),
    );
    expect(perDecision.map((records) => records.length)).toEqual([1, 1, 1, 1, 1]);
    expect(run.decisions.map((d) => d.events[0]?.type)).toEqual(
      Array(5).fill('saga.SagaStepsChanged'),
    );
    expect(perDecision.flat().flatMap((p) => p.entries)).toEqual(run.state.log);
    expect(perDecision.flat().every((p) => p.orderId === ORDER_ID)).toBe(true);
    expect(perDecision.flat().map((p) => p.entries.length)).toEqual([1, 2, 2, 2, 1]);
    // The clock passed in is the only time source.
    expect(run.state.log.map((e) => e.at)).toEqual([
      T0,
      T0 + 10,
      T0 + 10,
      T0 + 20,
      T0 + 20,
      T0 + 30,
      T0 + 30,
      T0 + 40,
    ]);
  });

  it('never mutates the state it was given', () => {
    const run = new Run();
    const before = structuredClone(run.state);
    const frozen = run.state;
    run.feed(msg.reserved());
    expect(frozen).toEqual(before);
  });

  it('state survives a JSON round trip and the machine continues from it', () => {
    const run = new Run();
    run.feed(msg.reserved(), msg.captured());
    const revived: unknown = JSON.parse(JSON.stringify(run.state));
    expect(revived).toEqual(run.state);
    run.state = revived as typeof run.state;
    run.feed(msg.committed(), msg.scheduled());
    expect(run.state.status).toBe('COMPLETED');
  });

  it('refuses a policy that could never fire or never compensate', () => {
    const zeroTimeout = {
      ...POLICY,
      steps: {
        ...POLICY.steps,
        PROCESS_PAYMENT: { ...POLICY.steps.PROCESS_PAYMENT, deadlineMs: 0 },
      },
    };
    expect(() => start(msg.placed(), zeroTimeout, T0)).toThrow(/positive integer/);
    const noAttempts = { ...POLICY, maxCompensationAttempts: 0 };
    expect(() => start(msg.placed(), noAttempts, T0)).toThrow(/at least 1/);
  });
});
