import { execFile } from 'node:child_process';
import { createServer } from 'node:net';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { promisify } from 'node:util';
import type { StackConfig } from './config.js';
import { StackError } from './errors.js';

const run = promisify(execFile);
const MIN_JAVA = 17;

export function javaBinary(config: StackConfig): string {
  return config.javaHome ? path.join(config.javaHome, 'bin', 'java') : 'java';
}

/** Fails unless a Java runtime >= 17 is available (Kafka 4 and Apicurio 3.0 need it). */
export async function checkJava(config: StackConfig): Promise<string> {
  const java = javaBinary(config);
  let output: string;
  try {
    const { stderr, stdout } = await run(java, ['-version']);
    output = `${stderr}${stdout}`;
  } catch (error) {
    throw new StackError(
      `Java was not found (${java}).`,
      `Install a Java ${MIN_JAVA}+ runtime (Debian: apt-get install openjdk-17-jre-headless) or set JAVA_HOME.`,
      undefined,
      { cause: error },
    );
  }
  const match = /version "(\d+)(?:\.(\d+))?/.exec(output);
  const major = match ? Number(match[1] === '1' ? match[2] : match[1]) : 0;
  if (major < MIN_JAVA) {
    throw new StackError(
      `Java ${major || '(unknown version)'} is too old: Kafka 4 and Apicurio Registry 3 need Java ${MIN_JAVA}+.`,
      `Install Java ${MIN_JAVA}+ and point JAVA_HOME at it.`,
    );
  }
  return `Java ${major}`;
}

function tryListen(host: string, port: number): Promise<NodeJS.ErrnoException | undefined> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', (error: NodeJS.ErrnoException) => resolve(error));
    server.listen({ host, port, exclusive: true }, () => server.close(() => resolve(undefined)));
  });
}

/**
 * Fails if something else already listens on host:port. `graceMs`: keep trying that long first,
 * for a port whose process was just killed (the kernel releases its sockets a moment after the
 * process is gone).
 */
export async function checkPortFree(
  host: string,
  port: number,
  what: string,
  graceMs = 0,
): Promise<void> {
  const deadline = Date.now() + graceMs;
  let error = await tryListen(host, port);
  while (error?.code === 'EADDRINUSE' && Date.now() < deadline) {
    await sleep(50);
    error = await tryListen(host, port);
  }
  if (error) {
    throw new StackError(
      `Port ${port} (${what}) on ${host} is already in use${error.code === 'EADDRINUSE' ? '' : `: ${error.message}`}.`,
      `Find the owner with 'ss -ltnp "sport = :${port}"' and stop it, or choose another port via the environment (see README, Configuration).`,
    );
  }
}
