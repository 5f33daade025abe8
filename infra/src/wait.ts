import { connect } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { StackError } from './errors.js';
import { tail } from './process.js';

export interface WaitOptions {
  readonly what: string;
  readonly timeoutMs: number;
  readonly logFile?: string;
  /** Returns false once the process behind the check has died: no point waiting further. */
  readonly alive?: () => boolean;
  readonly intervalMs?: number;
}

/** Polls `check` until it resolves, failing with the component's log tail on timeout or death. */
export async function waitUntil<T>(check: () => Promise<T>, options: WaitOptions): Promise<T> {
  const deadline = Date.now() + options.timeoutMs;
  let lastError: unknown;
  for (;;) {
    try {
      return await check();
    } catch (error) {
      lastError = error;
    }
    const died = options.alive !== undefined && !options.alive();
    if (died || Date.now() > deadline) {
      const reason = died ? 'its process exited' : `not ready after ${options.timeoutMs / 1000}s`;
      const last = lastError instanceof Error ? ` (last check: ${lastError.message})` : '';
      throw new StackError(
        `${options.what} did not become ready: ${reason}${last}.`,
        options.logFile
          ? `Read the log tail below or the whole log at ${options.logFile}; './dev stack down' then './dev stack up' retries from a clean state.`
          : 'Check that the service is running and reachable.',
        options.logFile ? tail(options.logFile) : undefined,
        { cause: lastError },
      );
    }
    await sleep(options.intervalMs ?? 250);
  }
}

/** Resolves once host:port accepts a TCP connection (closed straight away). */
export function tcpReachable(host: string, port: number, timeoutMs = 1_000): Promise<void> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host, port, timeout: timeoutMs });
    socket.once('connect', () => {
      socket.destroy();
      resolve();
    });
    socket.once('timeout', () => {
      socket.destroy();
      reject(new Error(`no answer from ${host}:${port} within ${timeoutMs} ms`));
    });
    socket.once('error', (error) => {
      socket.destroy();
      reject(error);
    });
  });
}
