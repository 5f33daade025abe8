import type { Draft } from './draft.js';
import { compensationCommand, STEP_DEFINITIONS } from './steps.js';
import type { CancellationReason, Deadline, SagaStep } from './types.js';

/**
 * The compensation half of the machine, after Temporal's saga sample: every completed step
 * pushes its compensation, a failure pops them one at a time (last completed first) and waits
 * for each confirmation before the next, so the undo order is exactly the reverse of the do
 * order even though the participants are independent services.
 */

/** Owe the undo of `step`. */
export function pushCompensation(d: Draft, step: SagaStep): void {
  // CommitInventory turns the reservation into a stock decrement, so after it the reservation
  // no longer exists to release: RestockInventory undoes both, and releasing as well would
  // undo the reservation twice.
  const stack =
    step === 'COMMIT_INVENTORY'
      ? d.state.compensationStack.filter((s) => s !== 'RESERVE_INVENTORY')
      : d.state.compensationStack;
  d.patch({ compensationStack: [...stack, step] });
}

/** Fail the forward step in flight and start unwinding. */
export function failStep(
  d: Draft,
  step: SagaStep,
  status: 'FAILED' | 'TIMED_OUT',
  reason: CancellationReason,
  detail: string,
): void {
  d.step(step, status, detail);
  d.patch({
    status: 'COMPENSATING',
    current: null,
    stepStartedAt: null,
    deadline: null,
    failure: d.state.failure ?? { step, reason, detail },
  });
  // Given up without an answer, the step's effect is unknown: void it first (see steps.ts).
  if (status === 'TIMED_OUT' && STEP_DEFINITIONS[step].withCompensation.whenGivenUp)
    d.patch({ compensationStack: [...d.state.compensationStack, step] });
  continueUnwinding(d);
}

/** Start the next owed compensation, or settle as CANCELLED once nothing is owed. */
export function continueUnwinding(d: Draft): void {
  // One compensation at a time, and none while parked: an operator (or a late confirmation)
  // decides when the stuck one is done.
  if (d.state.compensating !== null || d.state.status === 'FAILED_NEEDS_ATTENTION') return;
  const stack = d.state.compensationStack;
  const top = stack[stack.length - 1];
  if (top !== undefined) {
    d.patch({ compensationStack: stack.slice(0, -1) });
    sendCompensation(d, top, 1, d.state.policy.maxCompensationAttempts, null);
    return;
  }
  d.patch({ status: 'CANCELLED', deadline: null });
  // A late success undone after the outcome went out changes nothing the order shows.
  if (d.state.outcomeEmitted) return;
  const failure = d.state.failure;
  if (failure === null)
    throw new Error('order saga invariant broken: cancelling without a failure');
  d.patch({ outcomeEmitted: true });
  const { priced, payment, refund } = d.state;
  d.emit({
    type: 'saga.SagaCancelled',
    payload: {
      orderId: d.state.orderId,
      reason: failure.reason,
      failedStep: failure.step,
      detail: failure.detail,
      amountMinor: priced?.amountMinor ?? null,
      currency: (payment ?? refund ?? priced)?.currency ?? null,
      chargedMinor: payment?.amountMinor ?? refund?.amountMinor ?? 0,
      refundedMinor: refund?.amountMinor ?? 0,
    },
  });
}

function sendCompensation(
  d: Draft,
  step: SagaStep,
  attempt: number,
  sendsLeft: number,
  detail: string | null,
): void {
  d.step(step, 'COMPENSATING', detail);
  d.send(compensationCommand(step, d.state, attempt));
  const dueAt = d.now + d.state.policy.compensationTimeoutMs[step];
  d.patch({
    status: 'COMPENSATING',
    compensating: { step, attempt, sendsLeft: sendsLeft - 1 },
    deadline: { kind: 'compensation', step, attempt, dueAt },
  });
}

export function confirmCompensation(d: Draft, step: SagaStep): void {
  const resumed = d.state.status === 'FAILED_NEEDS_ATTENTION';
  d.step(step, 'COMPENSATED', resumed ? 'confirmed after the saga was parked' : null);
  d.patch({
    compensating: null,
    deadline: null,
    status: 'COMPENSATING',
  });
  continueUnwinding(d);
}

/** No confirmation in time: re-send the same (idempotent) command, or park past the limit. */
export function compensationTimedOut(d: Draft, deadline: Deadline): void {
  const inFlight = d.state.compensating;
  if (inFlight === null) throw new Error('order saga invariant broken: no compensation in flight');
  const waited = d.state.policy.compensationTimeoutMs[deadline.step];
  const command = STEP_DEFINITIONS[deadline.step].withCompensation.command;
  const lastError = `no confirmation of ${command} within ${waited} ms (attempt ${inFlight.attempt})`;
  if (inFlight.sendsLeft > 0) {
    sendCompensation(d, deadline.step, inFlight.attempt + 1, inFlight.sendsLeft, lastError);
    return;
  }
  d.step(deadline.step, 'COMPENSATION_FAILED', lastError);
  // SagaParked supersedes an outcome already announced (a late success after SagaCancelled whose
  // undo keeps failing): once the park resolves, SagaCancelled must go out again, or the order
  // would show FAILED_NEEDS_ATTENTION for good while the saga is CANCELLED.
  d.patch({ status: 'FAILED_NEEDS_ATTENTION', deadline: null, outcomeEmitted: false });
  d.emit({
    type: 'saga.SagaParked',
    payload: {
      orderId: d.state.orderId,
      step: deadline.step,
      attempts: inFlight.attempt,
      lastError,
    },
  });
}

/** An operator's retry of a parked saga: a fresh budget of sends for the stuck compensation. */
export function resumeCompensation(d: Draft): void {
  const inFlight = d.state.compensating;
  if (inFlight === null)
    throw new Error('order saga invariant broken: parked without a compensation');
  d.patch({ status: 'COMPENSATING' });
  sendCompensation(
    d,
    inFlight.step,
    inFlight.attempt + 1,
    d.state.policy.maxCompensationAttempts,
    'resumed by an operator',
  );
}
