import { describe, expect, it } from '@jest/globals';
import { decide, type SagaInput } from '../src/domain/index.js';
import { Run, expectIgnored, msg } from './fixtures.js';

describe('order saga: duplicates and strays are no-ops', () => {
  it('a second OrderPlaced does not restart the saga', () => {
    const run = new Run();
    const before = run.state;
    expectIgnored(run.feed(msg.placed()), before, 'duplicate');
  });

  const happy: SagaInput[] = [msg.reserved(), msg.captured(), msg.committed(), msg.scheduled()];
  it.each(happy.map((input, i) => ({ type: input.type, i })))(
    'a redelivered $type changes nothing',
    ({ i }) => {
      const run = new Run();
      run.feed(...happy.slice(0, i + 1));
      const before = run.state;
      const input = happy[i];
      if (input === undefined) throw new Error('bad case');
      expectIgnored(run.feed(input), before, 'duplicate');
    },
  );

  it('the whole happy path delivered twice over emits each command once', () => {
    const run = new Run();
    for (const input of happy) run.feed(input, input);
    run.feed(...happy);
    expect(run.commandTypes()).toEqual([
      'saga.ReserveInventory',
      'saga.ProcessPayment',
      'saga.CommitInventory',
      'saga.ScheduleShipment',
    ]);
    expect(run.outcomes()).toEqual(['saga.SagaCompleted']);
    expect(run.state.version).toBe(5);
  });

  it('a duplicated failure or confirmation is ignored', () => {
    const run = new Run();
    run.feed(msg.reserved(), msg.declined());
    let before = run.state;
    expectIgnored(run.feed(msg.declined()), before, 'duplicate');
    run.feed(msg.released());
    before = run.state;
    expectIgnored(run.feed(msg.released()), before, 'duplicate');
    expect(run.outcomes()).toEqual(['saga.SagaCancelled']);
  });

  it('a reply to a command never sent is ignored', () => {
    const run = new Run();
    const before = run.state;
    expectIgnored(run.feed(msg.captured()), before, 'unexpected');
    expectIgnored(run.feed(msg.refunded()), before, 'unexpected');
  });

  it('a success contradicting a recorded business failure is still undone', () => {
    // Money safety over trust: if payment says captured after declining, refund it.
    const run = new Run();
    run.feed(msg.reserved(), msg.declined(), msg.released());
    const d = run.feed(msg.captured());
    expect(d.commands.map((c) => c.type)).toEqual(['saga.RefundPayment']);
  });

  it('crashes loudly on a message of another order (a routing bug)', () => {
    const run = new Run();
    const stray: SagaInput = {
      type: 'inventory.InventoryReserved',
      payload: { orderId: 'other', lines: [], amountMinor: 0, currency: 'EUR' },
    };
    expect(() => decide(run.state, stray, run.now)).toThrow(/given a message of order other/);
  });
});
