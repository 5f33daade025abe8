import {
  decide,
  isSettled,
  start,
  type SagaCommand,
  type SagaEvent,
  type SagaInput,
  type SagaState,
} from '../src/domain/index.js';
import { POLICY, T0, msg } from './fixtures.js';

/**
 * A seeded simulation of one order against idempotent participants on an unreliable-in-time
 * (but not lossy for replies: those sit in an outbox) network. Replies are delayed, reordered
 * and duplicated at random; deadlines race them; some compensation sends are lost. The
 * participants keep a stock and money ledger so invariants can speak about real effects.
 */

/** mulberry32: tiny, fast, good enough to drive a test, and reproducible from a seed. */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

export const INITIAL_STOCK = 10;
const QTY = 2; // the fixture order's quantity

export interface Ledger {
  available: number;
  reserved: number;
  committed: number;
  captures: number;
  refunds: number;
  shipments: number;
  shipmentCancels: number;
}

export interface SimResult {
  readonly state: SagaState;
  readonly commands: SagaCommand[];
  readonly events: SagaEvent[];
  readonly ledger: Ledger;
  readonly steps: number;
  readonly settled: boolean;
}

export function simulate(seed: number, maxSteps = 1_000): SimResult {
  const rnd = prng(seed);
  const chance = (p: number) => rnd() < p;
  const ledger: Ledger = {
    available: INITIAL_STOCK,
    reserved: 0,
    committed: 0,
    captures: 0,
    refunds: 0,
    shipments: 0,
    shipmentCancels: 0,
  };
  const bag: SagaInput[] = [];
  const commands: SagaCommand[] = [];
  const events: SagaEvent[] = [];
  const reply = (input: SagaInput) => {
    bag.push(input);
    if (chance(0.25)) bag.push(input); // at-least-once delivery
  };

  // Each participant's effect happens when the command is sent (commands of one order are
  // processed in order, as on one partition); only the reply's arrival time is random.
  const participant = (c: SagaCommand) => {
    commands.push(c);
    switch (c.type) {
      case 'saga.ReserveInventory':
        return outcome(
          0.15,
          () => {
            ledger.available -= QTY;
            ledger.reserved += QTY;
            reply(msg.reserved());
          },
          () => reply(msg.rejected()),
        );
      case 'saga.ProcessPayment':
        return outcome(
          0.15,
          () => {
            ledger.captures += 1;
            reply(msg.captured());
          },
          () => reply(msg.declined()),
        );
      case 'saga.CommitInventory':
        return outcome(0, () => {
          ledger.committed += ledger.reserved;
          ledger.reserved = 0;
          reply(msg.committed());
        });
      case 'saga.ScheduleShipment':
        return outcome(
          0.15,
          () => {
            ledger.shipments += 1;
            reply(msg.scheduled());
          },
          () => reply(msg.shipRejected()),
        );
      // Compensations are idempotent and each send may be lost (participant down).
      case 'saga.ReleaseInventory':
        return compensation(() => {
          ledger.available += ledger.reserved;
          ledger.reserved = 0;
          reply(msg.released());
        });
      case 'saga.RestockInventory':
        return compensation(() => {
          ledger.available += ledger.committed;
          ledger.committed = 0;
          reply(msg.restocked());
        });
      case 'saga.RefundPayment':
        return compensation(() => {
          ledger.refunds = ledger.captures;
          reply(msg.refunded());
        });
      case 'saga.CancelShipment':
        return compensation(() => {
          ledger.shipmentCancels = ledger.shipments;
          reply(msg.shipCancelled());
        });
    }
  };
  // Forward commands are sent once: the participant either does it (and replies, maybe late),
  // refuses, or never gets to it (silent: only the deadline helps).
  function outcome(pFail: number, succeed: () => void, fail?: () => void): void {
    const r = rnd();
    if (r < pFail && fail) fail();
    else if (r < 0.9) succeed();
  }
  function compensation(apply: () => void): void {
    if (chance(0.6)) apply();
  }

  let now = T0;
  let state: SagaState | undefined;
  const apply = (d: {
    state: SagaState;
    commands: readonly SagaCommand[];
    events: readonly SagaEvent[];
  }) => {
    state = d.state;
    events.push(...d.events);
    d.commands.forEach(participant);
  };
  apply(start(msg.placed(), POLICY, now));
  let resumes = 0;
  let steps = 0;
  for (; steps < maxSteps; steps++) {
    if (state === undefined) throw new Error('unreachable');
    const deadline = state.deadline;
    const choices = bag.length + (deadline === null ? 0 : 1);
    if (choices === 0) {
      // An operator retries a parked saga a couple of times, then gives up.
      if (state.status === 'FAILED_NEEDS_ATTENTION' && resumes < 2 && chance(0.5)) {
        resumes += 1;
        apply(decide(state, msg.resume(), now));
        continue;
      }
      break;
    }
    const pick = Math.floor(rnd() * choices);
    if (pick < bag.length) {
      const [input] = bag.splice(pick, 1);
      if (input === undefined) throw new Error('unreachable');
      now += Math.floor(rnd() * 300);
      apply(decide(state, input, now));
    } else if (deadline !== null) {
      now = Math.max(now, deadline.dueAt);
      const { kind, step, attempt } = deadline;
      apply(decide(state, { type: 'DeadlineElapsed', kind, step, attempt }, now));
    }
  }
  if (state === undefined) throw new Error('unreachable');
  return { state, commands, events, ledger, steps, settled: isSettled(state) && bag.length === 0 };
}
