import { describe, expect, it } from '@jest/globals';
import { killAfterCommitHook, parseKillAfterCommit } from '../src/fault-injection.js';

describe('ORDERFLOW_FAULT_KILL_AFTER_COMMIT', () => {
  it('is off when unset or empty', () => {
    expect(parseKillAfterCommit(undefined)).toBeUndefined();
    expect(parseKillAfterCommit('')).toBeUndefined();
    expect(parseKillAfterCommit('  ')).toBeUndefined();
  });

  it('reads a whole number as "at the N-th commit" and a decimal as a probability', () => {
    expect(parseKillAfterCommit('1')).toEqual({ kind: 'count', count: 1 });
    expect(parseKillAfterCommit(' 25 ')).toEqual({ kind: 'count', count: 25 });
    expect(parseKillAfterCommit('0.05')).toEqual({ kind: 'probability', probability: 0.05 });
    expect(parseKillAfterCommit('.5')).toEqual({ kind: 'probability', probability: 0.5 });
  });

  it.each(['0', '-3', '1.0', '1.5', '0.0', 'yes', '2e3', '0x10', '99999999999999999999'])(
    'refuses %s with the variable name and the accepted forms',
    (raw) => {
      expect(() => parseKillAfterCommit(raw)).toThrow(
        /ORDERFLOW_FAULT_KILL_AFTER_COMMIT=.*whole number N >= 1.*probability/,
      );
    },
  );
});

describe('the kill-after-commit hook', () => {
  it('kills exactly once, at the N-th commit of the process', () => {
    const kills: number[] = [];
    let commit = 0;
    const hook = killAfterCommitHook(
      { kind: 'count', count: 3 },
      { kill: () => kills.push(commit) },
    );
    for (commit = 1; commit <= 10; commit += 1) hook();
    expect(kills).toEqual([3]);
  });

  it('kills after a commit when the draw falls under the probability', () => {
    const draws = [0.9, 0.2, 0.09, 0.5, 0.01];
    const kills: number[] = [];
    let commit = 0;
    const hook = killAfterCommitHook(
      { kind: 'probability', probability: 0.1 },
      { kill: () => kills.push(commit), random: () => draws[commit - 1] ?? 1 },
    );
    for (commit = 1; commit <= draws.length; commit += 1) hook();
    expect(kills).toEqual([3, 5]);
  });
});
