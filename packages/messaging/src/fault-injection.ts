/**
 * Fault injection for reliability suites. `ORDERFLOW_FAULT_KILL_AFTER_COMMIT` makes a consumer
 * SIGKILL its own process right after a handler's transaction commits and before the record's
 * offset is committed: the one window where at-least-once delivery hands the next incarnation a
 * record whose effects are already in the database, so only the inbox stands between it and a
 * second effect. Read once at start (service config); unset means no hook at all.
 *
 * Values: a whole number N >= 1 kills at the N-th commit of the process; a decimal p in (0, 1)
 * kills after each commit with probability p.
 */
export type KillAfterCommit =
  | { readonly kind: 'count'; readonly count: number }
  | { readonly kind: 'probability'; readonly probability: number };

export const KILL_AFTER_COMMIT_ENV = 'ORDERFLOW_FAULT_KILL_AFTER_COMMIT';

/** Parses the variable's value; undefined or empty means off. Throws on anything else. */
export function parseKillAfterCommit(raw: string | undefined): KillAfterCommit | undefined {
  if (raw === undefined || raw.trim() === '') return undefined;
  const value = raw.trim();
  if (/^\d+$/.test(value) && Number(value) >= 1 && Number.isSafeInteger(Number(value))) {
    return { kind: 'count', count: Number(value) };
  }
  const p = Number(value);
  if (/^(0?\.\d+|\d+\.\d*)$/.test(value) && p > 0 && p < 1) {
    return { kind: 'probability', probability: p };
  }
  throw new Error(
    `${KILL_AFTER_COMMIT_ENV}=${raw}: expected a whole number N >= 1 (kill at the N-th commit) or a probability between 0 and 1 exclusive`,
  );
}

export interface FaultDeps {
  /** What "kill" means; the real process by default. Injected by tests. */
  readonly kill?: () => void;
  readonly random?: () => number;
}

/**
 * The hook a consumer calls after each committed handler transaction, shared by every consumer
 * of the process (the count is per process).
 */
export function killAfterCommitHook(spec: KillAfterCommit, deps: FaultDeps = {}): () => void {
  const kill = deps.kill ?? (() => process.kill(process.pid, 'SIGKILL'));
  if (spec.kind === 'count') {
    let commits = 0;
    return () => {
      commits += 1;
      if (commits === spec.count) kill();
    };
  }
  const random = deps.random ?? Math.random;
  return () => {
    if (random() < spec.probability) kill();
  };
}
