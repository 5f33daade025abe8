import { describe, expect, it } from '@jest/globals';
import {
  chainValue,
  readChainValue,
  SerialBatcher,
  VALUE_BYTES,
} from '../src/baselines/raw-chain.js';

describe('the chain record value', () => {
  it('is 300 bytes carrying its step and sub-millisecond injection time', () => {
    const value = chainValue(7, 1_795_655_994_163.25);
    expect(value).toHaveLength(VALUE_BYTES);
    expect(VALUE_BYTES).toBe(300);
    expect(readChainValue(value)).toEqual({ step: 7, sentAtEpochMs: 1_795_655_994_163.25 });
  });
});

describe('SerialBatcher', () => {
  it('sends one batch at a time, everything queued meanwhile in the next', async () => {
    const sends: string[][] = [];
    let release: () => void = () => undefined;
    const batcher = new SerialBatcher((messages) => {
      sends.push(messages.map((m) => String(m.key)));
      // The first send stays in flight until released; later ones finish at once.
      return sends.length === 1
        ? new Promise<void>((resolve) => {
            release = resolve;
          })
        : Promise.resolve();
    });
    const msg = (key: string) => [{ key, value: null }];
    const first = batcher.add(msg('a'));
    const queued = [batcher.add(msg('b')), batcher.add(msg('c'))];
    expect(sends).toEqual([['a']]);
    release();
    await Promise.all([first, ...queued]);
    expect(sends).toEqual([['a'], ['b', 'c']]);
  });

  it('fails every add of a batch whose send failed, and goes on with the next', async () => {
    let calls = 0;
    const batcher = new SerialBatcher(() =>
      ++calls === 1 ? Promise.reject(new Error('broker down')) : Promise.resolve(),
    );
    await expect(batcher.add([{ key: 'a', value: null }])).rejects.toThrow('broker down');
    await expect(batcher.add([{ key: 'b', value: null }])).resolves.toBeUndefined();
  });
});
