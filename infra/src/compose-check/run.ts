import path from 'node:path';
import { REPO_ROOT } from '../config.js';
import { StackError } from '../errors.js';
import { tcpReachable } from '../wait.js';
import type { ComposeService } from './compose-config.js';
import { launch, logTail, stopAll, succeeds, type Launched } from './processes.js';

/** One compose service made ready to run here: its command, folder and environment. */
export interface Prepared {
  readonly service: ComposeService;
  readonly argv: string[];
  readonly cwd: string;
  readonly env: Record<string, string>;
  readonly rewrites: string;
}

const ONE_SHOT_TIMEOUT_MS = 90_000;
const HEALTHY_TIMEOUT_MS = 90_000;

/**
 * Runs the prepared compose services as compose would: each once its dependencies meet their
 * conditions, a one-shot to its exit (0 or the check fails), a service until compose's own
 * healthcheck command passes. Everything it launched is stopped by `stopAll`, and nothing is
 * launched after that.
 */
export function createRunner(options: { host: string; logDir: string; elapsed: () => string }) {
  const started: Launched[] = [];
  let stopped = false;
  const start = (p: Prepared): Launched => {
    if (stopped) throw new Error(`${p.service.name}: not started, the check is stopping`);
    const run = launch(p.service.name, p.argv, {
      cwd: p.cwd,
      env: p.env,
      logFile: path.join(options.logDir, `${p.service.name}.log`),
    });
    started.push(run);
    return run;
  };
  async function runOneShot(p: Prepared): Promise<void> {
    const run = start(p);
    const timeout = new Promise<'timeout'>((resolve) =>
      setTimeout(() => resolve('timeout'), ONE_SHOT_TIMEOUT_MS).unref(),
    );
    const code = await Promise.race([run.exited, timeout]);
    if (code !== 0) {
      throw new StackError(
        `One-shot ${p.service.name} (${p.argv.join(' ')}) ${code === 'timeout' ? 'did not finish' : `exited ${String(code)}`}.`,
        `Its output is in ${run.logFile}; the services would never start in compose.`,
        logTail(run.logFile),
      );
    }
    console.log(`  ${options.elapsed()}  ${p.service.name} exited 0`);
  }

  async function runUntilHealthy(p: Prepared): Promise<void> {
    const run = start(p);
    const deadline = Date.now() + HEALTHY_TIMEOUT_MS;
    let exited = false;
    void run.exited.then(() => (exited = true));
    while (!exited && Date.now() < deadline) {
      // compose's own healthcheck command, with the service's environment, in its folder; only
      // once the port is open, as each try is a node process and five services start at once.
      const listening = await tcpReachable(options.host, Number(p.env.PORT), 500).then(
        () => true,
        () => false,
      );
      if (
        listening &&
        (await succeeds(p.service.healthcheck ?? [], { cwd: p.cwd, env: p.env, timeoutMs: 5_000 }))
      )
        break;
      await new Promise((resolve) => setTimeout(resolve, listening ? 500 : 250));
    }
    if (exited || Date.now() >= deadline) {
      throw new StackError(
        `${p.service.name} ${exited ? 'exited' : 'never passed its compose healthcheck'} (${p.argv.join(' ')} in ${path.relative(REPO_ROOT, p.cwd)}).`,
        `Its output is in ${run.logFile}.`,
        logTail(run.logFile),
      );
    }
    console.log(`  ${options.elapsed()}  ${p.service.name} healthy`);
  }

  /** Starts every service when compose would: once each of its dependencies meets its condition. */
  function runInDependencyOrder(
    prepared: readonly Prepared[],
    oneShots: ReadonlySet<string>,
  ): Promise<void> {
    const done = new Map<string, Promise<void>>();
    const byName = new Map(prepared.map((p) => [p.service.name, p]));
    const startAfterDependencies = (name: string): Promise<void> => {
      const existing = done.get(name);
      if (existing) return existing;
      const p = byName.get(name);
      // Not ours: a stand-in from the launcher (checked in preflight) or the OTLP sink.
      const promise = !p
        ? Promise.resolve()
        : Promise.all(Object.keys(p.service.dependsOn).map(startAfterDependencies)).then(() =>
            oneShots.has(name) ? runOneShot(p) : runUntilHealthy(p),
          );
      done.set(name, promise);
      return promise;
    };
    return Promise.all(prepared.map((p) => startAfterDependencies(p.service.name))).then(
      () => undefined,
    );
  }

  return {
    runInDependencyOrder,
    stopAll: async (): Promise<void> => {
      stopped = true;
      await stopAll(started);
    },
  };
}
