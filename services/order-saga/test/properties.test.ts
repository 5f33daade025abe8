import { describe, expect, it } from '@jest/globals';
import { STEPS, type SagaCommand, type SagaStep } from '../src/domain/index.js';
import { INITIAL_STOCK, simulate, type SimResult } from './simulation.js';

const SEEDS = 3_000;
const COMPENSATION_OF: Partial<Record<SagaCommand['type'], SagaStep>> = {
  'saga.ReleaseInventory': 'RESERVE_INVENTORY',
  'saga.RefundPayment': 'PROCESS_PAYMENT',
  'saga.RestockInventory': 'COMMIT_INVENTORY',
  'saga.CancelShipment': 'SCHEDULE_SHIPMENT',
};

/** Checks every invariant for one run; returns a description of the first broken one. */
function broken(r: SimResult): string | null {
  const count = (type: string) => r.events.filter((e) => e.type === type).length;
  const sends = (type: string, firstOnly = false) =>
    r.commands.filter((c) => c.type === type && (!firstOnly || c.attempt === 1)).length;
  const { state, ledger } = r;

  if (!r.settled) return `did not terminate within ${r.steps} inputs (status ${state.status})`;
  if (!['COMPLETED', 'CANCELLED', 'FAILED_NEEDS_ATTENTION'].includes(state.status))
    return `ended in ${state.status}`;
  // What order-service sees: the status events in order. An outcome goes out once, and again
  // only after a SagaParked superseded it; the last of them is the saga's final status.
  const announced = r.events
    .map((e) => e.type)
    .filter((t) => ['saga.SagaCompleted', 'saga.SagaCancelled', 'saga.SagaParked'].includes(t));
  if (count('saga.SagaCompleted') > 1) return 'more than one SagaCompleted';
  if (count('saga.SagaCompleted') === 1 && announced.length !== 1) return 'completed and more';
  // (SagaParked twice in a row is an operator's resume that parked again.)
  if (announced.some((t, i) => i > 0 && t === announced[i - 1] && t !== 'saga.SagaParked'))
    return `the same outcome announced twice in a row: ${announced.join(',')}`;
  const last = { COMPLETED: 'saga.SagaCompleted', CANCELLED: 'saga.SagaCancelled' }[
    state.status as 'COMPLETED' | 'CANCELLED'
  ];
  if (announced.at(-1) !== (last ?? 'saga.SagaParked'))
    return `ended ${state.status} but announced ${announced.join(',') || 'nothing'}`;
  if (sends('saga.ProcessPayment') > 1) return 'ProcessPayment sent twice';
  if (sends('saga.RefundPayment', true) > 1) return 'two refunds (attempt 1) sent';
  if (ledger.available + ledger.reserved + ledger.committed !== INITIAL_STOCK)
    return 'stock not conserved';

  // Compensations of steps that completed on time start in the reverse order of completion.
  // Late successes may be undone in between, so only the on-time ones are ordered.
  const succeeded = (step: SagaStep, onTimeOnly: boolean) =>
    state.log.some(
      (e) => e.step === step && e.status === 'SUCCEEDED' && (!onTimeOnly || e.detail === null),
    );
  const started = r.commands
    .filter((c) => c.attempt === 1)
    .map((c) => COMPENSATION_OF[c.type])
    .filter((s): s is SagaStep => s !== undefined && succeeded(s, true))
    .map((s) => STEPS.indexOf(s));
  if (started.some((index, i) => i > 0 && index >= (started[i - 1] ?? 0)))
    return `compensations started in step order ${started.join(',')}, not in reverse`;

  if (state.status === 'COMPLETED') {
    if (r.commands.some((c) => COMPENSATION_OF[c.type] !== undefined))
      return 'completed yet compensated';
    if (ledger.committed !== 2 || ledger.reserved !== 0)
      return 'completed without exactly the stock committed';
    if (ledger.captures !== 1 || ledger.refunds !== 0)
      return 'completed without exactly one capture';
    if (ledger.shipments !== 1 || ledger.shipmentCancels !== 0)
      return 'completed without one shipment';
  }
  if (state.status === 'CANCELLED') {
    if (ledger.available !== INITIAL_STOCK) return 'cancelled with stock still held';
    if (ledger.captures !== ledger.refunds) return 'cancelled with money not returned';
    if (ledger.shipments !== ledger.shipmentCancels) return 'cancelled with a live shipment';
    // Every step that took effect was undone; the reservation may be undone by the restock.
    const undone = STEPS.filter((s) => succeeded(s, false)).every(
      (s) =>
        state.steps[s] === 'COMPENSATED' ||
        (s === 'RESERVE_INVENTORY' && succeeded('COMMIT_INVENTORY', false)),
    );
    if (!undone) return 'cancelled with a step that took effect and was not compensated';
  }
  return null;
}

describe('order saga: random interleavings, delays and duplicates', () => {
  const results = Array.from({ length: SEEDS }, (_, seed) => ({ seed, result: simulate(seed) }));

  it(`holds every invariant for ${SEEDS} seeded runs`, () => {
    const failures = results
      .map(({ seed, result }) => ({ seed, why: broken(result) }))
      .filter((f) => f.why !== null)
      .slice(0, 5);
    expect(failures).toEqual([]);
  });

  it('explores the interesting paths (the generator is not degenerate)', () => {
    const statuses = new Set(results.map((r) => r.result.state.status));
    expect([...statuses].sort()).toEqual(['CANCELLED', 'COMPLETED', 'FAILED_NEEDS_ATTENTION']);
    const lateCompensated = results.filter((r) =>
      r.result.state.log.some((e) => e.status === 'SUCCEEDED' && e.detail !== null),
    );
    expect(lateCompensated.length).toBeGreaterThan(20);
    const resumedAfterPark = results.filter(
      (r) =>
        r.result.events.some((e) => e.type === 'saga.SagaParked') &&
        r.result.state.status === 'CANCELLED',
    );
    expect(resumedAfterPark.length).toBeGreaterThan(0);
  });

  it('is reproducible from its seed', () => {
    expect(simulate(42)).toEqual(simulate(42));
  });
});
