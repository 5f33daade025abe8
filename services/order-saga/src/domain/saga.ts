import {
  compensationTimedOut,
  confirmCompensation,
  continueUnwinding,
  failStep,
  pushCompensation,
  resumeCompensation,
} from './compensation.js';
import { Draft, ignore } from './draft.js';
import { classifyReply, recordSuccess, STEP_DEFINITIONS } from './steps.js';
import type {
  Decision,
  DeadlineElapsed,
  Msg,
  ParticipantReply,
  SagaPolicy,
  SagaState,
  SagaStep,
  SagaInput,
} from './types.js';
import { STEPS } from './types.js';

/**
 * The order saga as one pure function per input: (state, input, now) → new state plus the
 * commands and events to publish. The handler persists the state and writes the commands and
 * events to the outbox in one transaction (state-stored, not event-sourced: see README).
 */

/** A new saga for a placed order: sends ReserveInventory. */
export function start(
  placed: Msg<'orders.OrderPlaced'>,
  policy: SagaPolicy,
  now: number,
): Decision {
  assertPolicy(policy);
  const { orderId, customerId, lines, shippingAddress, paymentToken } = placed.payload;
  const blank: SagaState = {
    orderId,
    version: 0,
    status: 'RUNNING',
    // Fixed for the saga's life so a redeploy with new timeouts never moves a running deadline.
    policy,
    order: { customerId, lines, shippingAddress, paymentToken },
    priced: null,
    payment: null,
    shipment: null,
    steps: Object.fromEntries(STEPS.map((s) => [s, 'PENDING'])) as SagaState['steps'],
    current: null,
    compensationStack: [],
    compensating: null,
    deadline: null,
    failure: null,
    outcomeEmitted: false,
    log: [],
    startedAt: now,
    updatedAt: now,
  };
  const d = new Draft(blank, now);
  startStep(d, 'RESERVE_INVENTORY');
  return d.finish();
}

export function decide(state: SagaState, input: SagaInput, now: number): Decision {
  if (input.type === 'DeadlineElapsed') return onDeadline(state, input, now);
  if (input.type === 'ResumeCompensation') {
    if (state.status !== 'FAILED_NEEDS_ATTENTION') return ignore(state, 'unexpected');
    const d = new Draft(state, now);
    resumeCompensation(d);
    return d.finish();
  }
  assertSameOrder(state, input.payload.orderId);
  if (input.type === 'orders.OrderPlaced') return ignore(state, 'duplicate');
  return onReply(state, input, now);
}

function onReply(state: SagaState, reply: ParticipantReply, now: number): Decision {
  const meaning = classifyReply(reply);
  const { step } = meaning;
  const stepStatus = state.steps[step];
  const stepHadFailed = stepStatus === 'FAILED' || stepStatus === 'TIMED_OUT';
  switch (meaning.kind) {
    case 'succeeded': {
      if (state.current === step) {
        const d = new Draft(state, now);
        d.patch(recordSuccess(reply));
        d.step(step, 'SUCCEEDED');
        pushCompensation(d, step);
        advance(d, step);
        return d.finish();
      }
      if (stepHadFailed) {
        // The participant did the work after we gave up on it (or contradicted its own
        // failure): its effect is real, so it must be undone like any completed step.
        const d = new Draft(state, now);
        d.patch(recordSuccess(reply));
        d.step(step, 'SUCCEEDED', `late reply after the step ${stepStatus}; compensating it`);
        pushCompensation(d, step);
        continueUnwinding(d);
        return d.finish();
      }
      return ignore(state, stepStatus === 'PENDING' ? 'unexpected' : 'duplicate');
    }
    case 'failed': {
      if (state.current === step) {
        const d = new Draft(state, now);
        failStep(d, step, 'FAILED', meaning.reason, meaning.detail);
        return d.finish();
      }
      if (stepStatus === 'FAILED') return ignore(state, 'duplicate');
      return ignore(state, stepStatus === 'TIMED_OUT' ? 'late' : 'unexpected');
    }
    case 'compensated': {
      if (state.compensating?.step === step) {
        const d = new Draft(state, now);
        confirmCompensation(d, step);
        return d.finish();
      }
      return ignore(state, stepStatus === 'COMPENSATED' ? 'duplicate' : 'unexpected');
    }
  }
}

function onDeadline(state: SagaState, input: DeadlineElapsed, now: number): Decision {
  const deadline = state.deadline;
  if (
    deadline === null ||
    deadline.kind !== input.kind ||
    deadline.step !== input.step ||
    deadline.attempt !== input.attempt
  ) {
    return ignore(state, 'stale-deadline');
  }
  // A scheduler firing early (clock skew between nodes) must not fail a step that still has time.
  if (now < deadline.dueAt) return ignore(state, 'early-deadline');
  const d = new Draft(state, now);
  if (deadline.kind === 'step') {
    const waited = state.policy.stepTimeoutMs[deadline.step];
    const command = STEP_DEFINITIONS[deadline.step].command;
    failStep(
      d,
      deadline.step,
      'TIMED_OUT',
      'STEP_TIMEOUT',
      `no reply to ${command} within ${waited} ms`,
    );
  } else {
    compensationTimedOut(d, deadline);
  }
  return d.finish();
}

/** After `done` succeeded on time: start the next step, or complete. */
function advance(d: Draft, done: SagaStep): void {
  const next = STEP_DEFINITIONS[done].next;
  if (next !== null) {
    startStep(d, next);
    return;
  }
  const { priced, shipment } = d.state;
  if (priced === null || shipment === null) {
    throw new Error('order saga invariant broken: completing without a price or a shipment');
  }
  d.patch({
    status: 'COMPLETED',
    current: null,
    deadline: null,
    // Nothing will ever be undone now; keeping the stack would only mislead a reader.
    compensationStack: [],
    outcomeEmitted: true,
  });
  d.emit({
    type: 'saga.SagaCompleted',
    payload: {
      orderId: d.state.orderId,
      lines: priced.lines,
      amountMinor: priced.amountMinor,
      currency: priced.currency,
      trackingNumber: shipment.trackingNumber,
    },
  });
}

function startStep(d: Draft, step: SagaStep): void {
  d.step(step, 'STARTED');
  d.send(STEP_DEFINITIONS[step].send(d.state, 1));
  // Forward steps are never re-sent by the saga (participants and the messaging layer retry
  // transient errors); a missing reply fails the step, so attempt is always 1.
  const dueAt = d.now + d.state.policy.stepTimeoutMs[step];
  d.patch({ current: step, deadline: { kind: 'step', step, attempt: 1, dueAt } });
}

// Routing a reply to the wrong saga is a programmer error in the handler: crash loudly.
function assertSameOrder(state: SagaState, orderId: string): void {
  if (orderId !== state.orderId) {
    throw new Error(`order saga ${state.orderId} was given a message of order ${orderId}`);
  }
}

function assertPolicy(policy: SagaPolicy): void {
  const times = STEPS.flatMap((s) => [policy.stepTimeoutMs[s], policy.compensationTimeoutMs[s]]);
  if (!times.every((ms) => Number.isInteger(ms) && ms > 0)) {
    throw new Error('saga policy: every timeout must be a positive integer of milliseconds');
  }
  if (!Number.isInteger(policy.maxCompensationAttempts) || policy.maxCompensationAttempts < 1) {
    throw new Error('saga policy: maxCompensationAttempts must be an integer of at least 1');
  }
}
