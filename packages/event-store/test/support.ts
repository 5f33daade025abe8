import type { Aggregate } from '../src/index.js';

/** A tiny aggregate for the store's tests: keeps every amount so a wrong fold order shows. */
export type CounterEvent = { type: 'Added'; amount: number } | { type: 'Reset' };
export interface CounterState {
  total: number;
  amounts: number[];
}

export const counter: Aggregate<CounterState, CounterEvent> = {
  initialState: () => ({ total: 0, amounts: [] }),
  evolve: (state, event) =>
    event.type === 'Reset'
      ? { total: 0, amounts: [...state.amounts, 0] }
      : { total: state.total + event.amount, amounts: [...state.amounts, event.amount] },
};

export const added = (amount: number): CounterEvent => ({ type: 'Added', amount });

export function foldCounter(events: readonly CounterEvent[]): CounterState {
  return events.reduce((state, event) => counter.evolve(state, event), counter.initialState());
}
