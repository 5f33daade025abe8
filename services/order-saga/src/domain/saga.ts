import {
  compensationTimedOut,
  confirmCompensation,
  continueUnwinding,
  failStep,
  pushCompensation,
  resumeCompensation,
} from './compensation.js';
import { Draft, ignore } from './draft.js';
import { classifyReply, STEP_DEFINITIONS, stepCommand } from './steps.js';
import type {
  Deadline,
  Decision,
  DeadlineElapsed,
  Msg,
  ParticipantReply,
  SagaPolicy,
  SagaState,
  SagaStep,
  SagaInput,
  StepRetryPolicy,
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
    refund: null,
    shipment: null,
    steps: Object.fromEntries(STEPS.map((s) => [s, 'PENDING'])) as SagaState['steps'],
    current: null,
    stepStartedAt: null,
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
  const givenUp = state.failure?.step === step && state.failure.reason === 'STEP_TIMEOUT';
  switch (meaning.kind) {
    case 'succeeded': {
      if (state.current === step) {
        const d = new Draft(state, now);
        d.patch(meaning.keep);
        d.step(step, 'SUCCEEDED');
        pushCompensation(d, step);
        advance(d, step);
        return d.finish();
      }
      if (givenUp && state.compensating?.step === step) {
        // The void sent when the step was given up is in flight: it undoes this success too
        // (the participant answers it with what it undid), so only the history changes.
        const d = new Draft(state, now);
        d.patch(meaning.keep);
        d.log(
          step,
          'SUCCEEDED',
          'late reply after the step was given up; the void in flight undoes it',
        );
        return d.finish();
      }
      if (stepHadFailed) {
        // The participant did the work after we gave up on it (or contradicted its own
        // failure): its effect is real, so it must be undone like any completed step.
        const d = new Draft(state, now);
        d.patch(meaning.keep);
        d.step(step, 'SUCCEEDED', `late reply after the step ${stepStatus}; compensating it`);
        pushCompensation(d, step);
        continueUnwinding(d);
        return d.finish();
      }
      // Includes a success after a confirmed void: the participant has promised none can follow.
      return ignore(state, stepStatus === 'PENDING' ? 'unexpected' : 'duplicate');
    }
    case 'failed': {
      if (state.current === step) {
        const d = new Draft(state, now);
        failStep(d, step, 'FAILED', meaning.reason, meaning.detail);
        return d.finish();
      }
      if (stepStatus === 'FAILED') return ignore(state, 'duplicate');
      if (!givenUp) return ignore(state, 'unexpected');
      // The answer to a step given up on changes nothing, but the order's history shows it
      // (e.g. payment refusing a charge that arrived after the void).
      const detail = `late reply after the step was given up: ${meaning.detail}`;
      if (state.log.some((e) => e.step === step && e.detail === detail))
        return ignore(state, 'duplicate');
      const d = new Draft(state, now);
      d.log(step, 'FAILED', detail);
      return d.finish();
    }
    case 'compensated': {
      if (state.compensating?.step === step) {
        const d = new Draft(state, now);
        d.patch(meaning.keep);
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
  if (deadline.kind === 'step') stepAttemptTimedOut(d, deadline);
  else compensationTimedOut(d, deadline);
  return d.finish();
}

/** No reply to this send: re-send the same command while the step has time, else give up. */
function stepAttemptTimedOut(d: Draft, deadline: Deadline): void {
  const { step, attempt } = deadline;
  const retry = d.state.policy.steps[step];
  const command = STEP_DEFINITIONS[step].invoke.command;
  const giveUpAt = deadline.giveUpAt ?? deadline.dueAt;
  const waited = d.now - (d.state.stepStartedAt ?? d.now);
  if (d.now >= giveUpAt) {
    failStep(
      d,
      step,
      'TIMED_OUT',
      'STEP_TIMEOUT',
      `no reply to ${command} within ${retry.deadlineMs} ms (${attempt} send${attempt > 1 ? 's' : ''})`,
    );
    return;
  }
  const next = attempt + 1;
  d.step(step, 'STARTED', `attempt ${next}: no reply to ${command} after ${waited} ms; re-sent`);
  sendStep(d, step, next, giveUpAt);
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
  d.patch({ current: step, stepStartedAt: d.now });
  sendStep(d, step, 1, d.now + d.state.policy.steps[step].deadlineMs);
}

/** Send `attempt` of the step's command and wait for its reply, never past the step's deadline. */
function sendStep(d: Draft, step: SagaStep, attempt: number, giveUpAt: number): void {
  d.send(stepCommand(step, d.state, { attempt, giveUpAt }));
  const dueAt = Math.min(d.now + attemptTimeout(d.state.policy.steps[step], attempt), giveUpAt);
  d.patch({ deadline: { kind: 'step', step, attempt, dueAt, giveUpAt } });
}

/** Attempt n waits attemptTimeout × coefficient^(n−1), capped. */
export function attemptTimeout(retry: StepRetryPolicy, attempt: number): number {
  const grown = retry.attemptTimeoutMs * retry.backoffCoefficient ** (attempt - 1);
  return Math.min(Math.round(grown), retry.maxAttemptTimeoutMs);
}

// Routing a reply to the wrong saga is a programmer error in the handler: crash loudly.
function assertSameOrder(state: SagaState, orderId: string): void {
  if (orderId !== state.orderId) {
    throw new Error(`order saga ${state.orderId} was given a message of order ${orderId}`);
  }
}

function assertPolicy(policy: SagaPolicy): void {
  const positive = (ms: number) => Number.isInteger(ms) && ms > 0;
  const times = STEPS.flatMap((s) => {
    const r = policy.steps[s];
    return [
      r.attemptTimeoutMs,
      r.maxAttemptTimeoutMs,
      r.deadlineMs,
      policy.compensationTimeoutMs[s],
    ];
  });
  if (!times.every(positive)) {
    throw new Error('saga policy: every timeout must be a positive integer of milliseconds');
  }
  if (!STEPS.every((s) => policy.steps[s].backoffCoefficient >= 1)) {
    throw new Error('saga policy: a backoff coefficient must be at least 1');
  }
  if (!Number.isInteger(policy.maxCompensationAttempts) || policy.maxCompensationAttempts < 1) {
    throw new Error('saga policy: maxCompensationAttempts must be an integer of at least 1');
  }
}
