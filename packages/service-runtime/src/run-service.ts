import type { Logger } from '@orderflow/telemetry';

/**
 * Process lifecycle for a service: start, then on SIGTERM/SIGINT stop within a bound and exit.
 * Exit code 0 after a clean stop; 1 when start fails, stop throws or overruns its bound, or a
 * second signal arrives while stopping (an operator insisting).
 */
export interface RunServiceOptions {
  readonly start: () => Promise<void>;
  readonly stop: () => Promise<void>;
  readonly logger: Pick<Logger, 'info' | 'error' | 'warn'>;
  readonly shutdownTimeoutMs?: number;
  /** Injected for tests; the real process by default. */
  readonly process?: SignalSource;
  readonly exit?: (code: number) => void;
}

export interface SignalSource {
  once(signal: NodeJS.Signals, listener: () => void): unknown;
  on(signal: NodeJS.Signals, listener: () => void): unknown;
}

export const SHUTDOWN_SIGNALS: readonly NodeJS.Signals[] = ['SIGTERM', 'SIGINT'];

export interface RunningService {
  /** Resolves with the exit code once shutdown finished (also passed to `exit`). */
  readonly stopped: Promise<number>;
  shutdown(reason: string): Promise<number>;
}

export async function runService(options: RunServiceOptions): Promise<RunningService> {
  const { logger, shutdownTimeoutMs = 10_000 } = options;
  const proc = options.process ?? process;
  const exit = options.exit ?? ((code: number) => process.exit(code));
  let resolveStopped: (code: number) => void = () => undefined;
  const stopped = new Promise<number>((resolve) => (resolveStopped = resolve));
  let stopping: Promise<number> | undefined;

  const finish = (code: number): number => {
    resolveStopped(code);
    exit(code);
    return code;
  };

  const shutdown = (reason: string): Promise<number> => {
    if (stopping) return stopping;
    logger.info({ reason, shutdownTimeoutMs }, 'shutting down');
    let timer: NodeJS.Timeout | undefined;
    const overrun = new Promise<'timeout'>((resolve) => {
      timer = setTimeout(() => resolve('timeout'), shutdownTimeoutMs);
      timer.unref();
    });
    stopping = Promise.race([options.stop().then(() => 'stopped' as const), overrun])
      .then((outcome) => {
        if (outcome === 'timeout') {
          logger.error({ shutdownTimeoutMs }, 'shutdown exceeded its bound; exiting anyway');
          return finish(1);
        }
        logger.info({}, 'stopped cleanly');
        return finish(0);
      })
      .catch((error: unknown) => {
        logger.error({ err: error }, 'shutdown failed');
        return finish(1);
      })
      .finally(() => clearTimeout(timer));
    return stopping;
  };

  for (const signal of SHUTDOWN_SIGNALS) {
    proc.on(signal, () => {
      if (stopping) {
        logger.warn({ signal }, 'second signal while stopping; exiting now');
        finish(1);
        return;
      }
      void shutdown(signal);
    });
  }

  try {
    await options.start();
  } catch (error) {
    logger.error({ err: error }, 'start failed');
    // Release whatever did start (connections, pools) before exiting non-zero.
    await options.stop().catch((stopError: unknown) => {
      logger.error({ err: stopError }, 'stop after failed start also failed');
    });
    finish(1);
    return { stopped, shutdown: () => stopped };
  }
  return { stopped, shutdown };
}
