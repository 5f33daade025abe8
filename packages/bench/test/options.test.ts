import { describe, expect, it } from '@jest/globals';
import { OptionsError, parseOptions } from '../src/options.js';

describe('parseOptions', () => {
  it('has the issue’s ladder and 30 s steps by default', () => {
    const options = parseOptions([]);
    if (options === 'help') throw new Error('unexpected help');
    expect(options.rates).toEqual([10, 30, 60, 100, 150]);
    expect(options.durationSeconds).toBe(30);
    expect(options.skip.size).toBe(0);
    expect(options.keepGoing).toBe(false);
    expect(Object.isFrozen(options)).toBe(true);
  });

  it('reads rates, duration and baselines to skip, after pnpm’s --', () => {
    const options = parseOptions([
      '--',
      '--rates',
      '10, 30',
      '--duration',
      '5',
      '--skip',
      'pgbench',
    ]);
    if (options === 'help') throw new Error('unexpected help');
    expect(options.rates).toEqual([10, 30]);
    expect(options.durationSeconds).toBe(5);
    expect([...options.skip]).toEqual(['pgbench']);
  });

  it('refuses what it cannot use, saying why', () => {
    expect(() => parseOptions(['--rates', '10,x'])).toThrow(OptionsError);
    expect(() => parseOptions(['--duration', '0'])).toThrow(/--duration must be a positive/);
    expect(() => parseOptions(['--skip', 'kafka'])).toThrow(
      /--skip takes chain, kafka-perf, pgbench/,
    );
    expect(() => parseOptions(['--warmup', '-1'])).toThrow(/--warmup/);
    expect(() => parseOptions(['--nonsense'])).toThrow(OptionsError);
  });

  it('takes --keep-going and a saved run to --render', () => {
    const options = parseOptions(['--keep-going', '--render', 'out/bench/x/results.json']);
    if (options === 'help') throw new Error('unexpected help');
    expect(options.keepGoing).toBe(true);
    expect(options.render).toBe('out/bench/x/results.json');
  });

  it('answers --help', () => {
    expect(parseOptions(['--help'])).toBe('help');
  });
});
