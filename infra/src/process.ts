import { spawn } from 'node:child_process';
import {
  closeSync,
  existsSync,
  mkdirSync,
  openSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import type { StackConfig } from './config.js';

/**
 * Background processes the launcher owns. Each is started detached with a marker on its command
 * line, and its pid is recorded, so `down` stops exactly what `up` started and never a stranger
 * that reused the pid.
 */
export interface ProcessRecord {
  readonly component: string;
  readonly pid: number;
  readonly startedAt: string;
  readonly logFile: string;
}

export function logFile(config: StackConfig, component: string): string {
  return path.join(config.stackDir, 'logs', `${component}.log`);
}

function recordFile(config: StackConfig, component: string): string {
  return path.join(config.stackDir, 'run', `${component}.json`);
}

export function marker(config: StackConfig, component: string): string {
  return `-Dorderflow.stack=${config.stackDir}#${component}`;
}

function commandLine(pid: number): string[] | undefined {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0');
  } catch {
    return undefined;
  }
}

/** The running process of a component, or undefined when none of ours is alive. */
export function runningProcess(config: StackConfig, component: string): ProcessRecord | undefined {
  const file = recordFile(config, component);
  if (!existsSync(file)) return undefined;
  const record = JSON.parse(readFileSync(file, 'utf8')) as ProcessRecord;
  // The whole argument, not a substring: `#order-service` is a prefix of `#order-service@2`.
  if (commandLine(record.pid)?.includes(marker(config, component))) return record;
  rmSync(file, { force: true });
  return undefined;
}

/** Components with a pid file in this stack's folder (alive or not; runningProcess tells). */
export function recordedComponents(config: StackConfig): string[] {
  const dir = path.dirname(recordFile(config, 'x'));
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .filter((name) => name.endsWith('.json'))
    .map((name) => name.slice(0, -'.json'.length));
}

/**
 * Starts `command` detached: Node makes it the leader of a new session, so no signal to the
 * caller's process group (Ctrl-C in a test run, `timeout`) reaches it. Only `stopProcess` stops it.
 */
export function startProcess(
  config: StackConfig,
  component: string,
  command: string,
  args: readonly string[],
  cwd: string,
  env: NodeJS.ProcessEnv = process.env,
): Promise<ProcessRecord> {
  const log = logFile(config, component);
  mkdirSync(path.dirname(log), { recursive: true });
  mkdirSync(path.dirname(recordFile(config, component)), { recursive: true });
  // The log of the run before (a crashed one, say) stays beside it, one generation deep.
  if (existsSync(log)) renameSync(log, `${log}.1`);
  const fd = openSync(log, 'w');
  try {
    const child = spawn(command, args, { cwd, env, detached: true, stdio: ['ignore', fd, fd] });
    if (child.pid === undefined) throw new Error(`could not start ${command}`);
    child.unref();
    const record: ProcessRecord = {
      component,
      pid: child.pid,
      startedAt: new Date().toISOString(),
      logFile: log,
    };
    writeFileSync(recordFile(config, component), JSON.stringify(record, null, 2));
    return Promise.resolve(record);
  } finally {
    closeSync(fd);
  }
}

export function alive(pid: number): boolean {
  try {
    // A zombie (state Z) has exited; only its parent has not reaped it yet.
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return !/^\d+ \(.*\) Z/.test(stat);
  } catch {
    return false;
  }
}

/** SIGTERM, then SIGKILL after `graceMs`; resolves once the process is gone. */
export async function stopProcess(
  config: StackConfig,
  component: string,
  graceMs = 30_000,
): Promise<ProcessRecord | undefined> {
  const record = runningProcess(config, component);
  if (!record) return undefined;
  process.kill(record.pid, 'SIGTERM');
  const deadline = Date.now() + graceMs;
  while (alive(record.pid) && Date.now() < deadline) await sleep(100);
  if (alive(record.pid)) {
    process.kill(record.pid, 'SIGKILL');
    while (alive(record.pid)) await sleep(50);
  }
  rmSync(recordFile(config, component), { force: true });
  return record;
}

/** SIGKILL, no grace: a crash as the OS would deliver it. Resolves once the process is gone. */
export async function killProcess(
  config: StackConfig,
  component: string,
): Promise<ProcessRecord | undefined> {
  const record = runningProcess(config, component);
  if (!record) return undefined;
  process.kill(record.pid, 'SIGKILL');
  while (alive(record.pid)) await sleep(20);
  rmSync(recordFile(config, component), { force: true });
  return record;
}

/** Resolves once `pid` has exited (whoever ended it); false if it still runs after `timeoutMs`. */
export async function waitForExit(pid: number, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (alive(pid)) {
    if (Date.now() > deadline) return false;
    await sleep(20);
  }
  return true;
}

export function tail(file: string, lines = 25): string {
  if (!existsSync(file)) return '(no log written)';
  return readFileSync(file, 'utf8').trimEnd().split('\n').slice(-lines).join('\n');
}

/** Log and liveness of a component we run, so a wait fails fast (with the log) when it dies. */
export function watchProcess(
  config: StackConfig,
  component: string,
): { logFile?: string; alive?: () => boolean } {
  if (!runningProcess(config, component)) return {};
  return {
    logFile: logFile(config, component),
    alive: () => runningProcess(config, component) !== undefined,
  };
}
