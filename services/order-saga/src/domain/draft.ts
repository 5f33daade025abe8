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
 * "change a step's status" and "log it" in one call is what makes every transition show up in
 * the step log. The entries one decision logs go out together, as one SagaStepsChanged ahead of
 * the decision's other events: one record per decision, not one per entry.
 */
export class Draft {
  readonly state: Mutable<SagaState>;
  readonly commands: SagaCommand[] = [];
  readonly events: SagaEvent[] = [];
  /** Where this decision's entries start in the step log. */
  private readonly logStart: number;

  constructor(
    previous: SagaState,
    readonly now: number,
  ) {
    this.state = structuredClone(previous);
    this.logStart = previous.log.length;
  }

  patch(changes: Partial<SagaState>): void {
    Object.assign(this.state, changes);
  }

  /** Sets a step's status and appends it to the step log. */
  step(step: SagaStep, status: StepStatus, detail: string | null = null): void {
    this.state.steps = { ...this.state.steps, [step]: status };
    this.log(step, status, detail);
  }

  /** Appends to the step log, leaving the step's status as it is. */
  log(step: SagaStep, status: StepStatus, detail: string | null): void {
    const entry = { step, status, at: this.now, detail };
    this.state.log = [...this.state.log, entry];
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
    const entries = this.state.log.slice(this.logStart);
    const events: SagaEvent[] =
      entries.length === 0
        ? this.events
        : [
            { type: 'saga.SagaStepsChanged', payload: { orderId: this.state.orderId, entries } },
            ...this.events,
          ];
    return { state, commands: this.commands, events, ignored: null };
  }
}

export function ignore(state: SagaState, reason: IgnoredReason): Decision {
  return { state, commands: [], events: [], ignored: reason };
}
