import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream, existsSync, readFileSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';

/** The check's own child processes: each in a process group of its own, its output in a file. */
export interface Launched {
  readonly name: string;
  readonly logFile: string;
  readonly child: ChildProcess;
  /** The exit code (a signal counts as null) once the process has ended. */
  readonly exited: Promise<number | null>;
}

export function launch(
  name: string,
  argv: readonly string[],
  options: { cwd: string; env: Record<string, string>; logFile: string },
): Launched {
  const [command, ...args] = argv;
  if (!command) throw new Error(`${name}: empty command`);
  const log = createWriteStream(options.logFile, { flags: 'a' });
  // detached: a group of its own, so stopping it also stops what it started (pnpm → tsx → node).
  const child = spawn(command, args, {
    cwd: options.cwd,
    env: options.env,
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stdout.pipe(log, { end: false });
  child.stderr.pipe(log, { end: false });
  const exited = new Promise<number | null>((resolve) => {
    child.once('error', (error) => {
      log.write(`\n[check] could not start ${command}: ${error.message}\n`);
      resolve(127);
    });
    child.once('close', (code) => {
      log.end();
      resolve(code);
    });
  });
  return { name, logFile: options.logFile, child, exited };
}

/** Runs a command to its end (a healthcheck); true when it exits 0 within the timeout. */
export async function succeeds(
  argv: readonly string[],
  options: { cwd: string; env: Record<string, string>; timeoutMs: number },
): Promise<boolean> {
  const [command, ...args] = argv;
  if (!command) return false;
  const child = spawn(command, args, {
    cwd: options.cwd,
    env: options.env,
    stdio: 'ignore',
    timeout: options.timeoutMs,
  });
  return new Promise((resolve) => {
    child.once('error', () => resolve(false));
    child.once('close', (code) => resolve(code === 0));
  });
}

/** SIGTERM to every group (a graceful stop, as `docker compose down` sends), SIGKILL after. */
export async function stopAll(processes: readonly Launched[], graceMs = 10_000): Promise<void> {
  const alive = processes.filter((p) => p.child.exitCode === null && p.child.signalCode === null);
  for (const p of alive) signalGroup(p, 'SIGTERM');
  const deadline = sleep(graceMs).then(() => 'timeout' as const);
  await Promise.all(
    alive.map(async (p) => {
      if ((await Promise.race([p.exited, deadline])) === 'timeout') signalGroup(p, 'SIGKILL');
    }),
  );
}

function signalGroup(p: Launched, signal: NodeJS.Signals): void {
  try {
    if (p.child.pid !== undefined) process.kill(-p.child.pid, signal);
  } catch {
    // already gone
  }
}

export function logTail(file: string, lines = 25): string {
  if (!existsSync(file)) return '(no output)';
  return readFileSync(file, 'utf8').trimEnd().split('\n').slice(-lines).join('\n');
}
