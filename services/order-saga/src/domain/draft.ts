import type {
  Decision,
  IgnoredReason,
  SagaCommand,
  SagaEvent,
  SagaState,
  SagaStep,
  StepStatus,
} from './types.js';

type Mutable<T> = { -readonly [K in keyof T]: T[K] };

/**
 * One decision in the making. Transitions read and write `state` (a private copy, so the
 * caller's state is never mutated) and record what to send; `finish` bumps the version. Keeping
 * "change a step's status" and "log it and emit SagaStepChanged" in one call is what makes
 * every transition show up in the step log.
 */
export class Draft {
  readonly state: Mutable<SagaState>;
  readonly commands: SagaCommand[] = [];
  readonly events: SagaEvent[] = [];

  constructor(
    previous: SagaState,
    readonly now: number,
  ) {
    this.state = structuredClone(previous);
  }

  patch(changes: Partial<SagaState>): void {
    Object.assign(this.state, changes);
  }

  /** Sets a step's status, appends it to the step log and emits SagaStepChanged. */
  step(step: SagaStep, status: StepStatus, detail: string | null = null): void {
    this.state.steps = { ...this.state.steps, [step]: status };
    this.log(step, status, detail);
  }

  /** Appends to the step log and emits SagaStepChanged, leaving the step's status as it is. */
  log(step: SagaStep, status: StepStatus, detail: string | null): void {
    const entry = { step, status, at: this.now, detail };
    this.state.log = [...this.state.log, entry];
    this.events.push({
      type: 'saga.SagaStepChanged',
      payload: { orderId: this.state.orderId, ...entry },
    });
  }

  send(command: SagaCommand): void {
    this.commands.push(command);
  }

  emit(event: SagaEvent): void {
    this.events.push(event);
  }

  finish(): Decision {
    const state: SagaState = {
      ...this.state,
      version: this.state.version + 1,
      updatedAt: this.now,
    };
    return { state, commands: this.commands, events: this.events, ignored: null };
  }
}

export function ignore(state: SagaState, reason: IgnoredReason): Decision {
  return { state, commands: [], events: [], ignored: reason };
}
