import { describe, expect, it } from '@jest/globals';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { StackError } from '../src/errors.js';
import { waitUntil } from '../src/wait.js';

describe('waitUntil', () => {
  it('fails at once when the process died, with its log tail and a ./dev command to retry', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'wait-'));
    const logFile = path.join(dir, 'kafka.log');
    writeFileSync(logFile, 'starting\nFATAL: address already in use\n');
    try {
      const failure = await waitUntil(() => Promise.reject(new Error('connection refused')), {
        what: 'Kafka',
        timeoutMs: 60_000,
        logFile,
        alive: () => false,
      }).catch((error: unknown) => error);
      expect(failure).toBeInstanceOf(StackError);
      const { message, hint, logTail } = failure as StackError;
      expect(message).toBe(
        'Kafka did not become ready: its process exited (last check: connection refused).',
      );
      // `pnpm` is not on the user's PATH; `./dev` is the project's entry point.
      expect(hint).toBe(
        `Read the log tail below or the whole log at ${logFile}; './dev stack down' then './dev stack up' retries from a clean state.`,
      );
      expect(logTail).toBe('starting\nFATAL: address already in use');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
