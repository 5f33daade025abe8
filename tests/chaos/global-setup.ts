// Jest global setup of the chaos suite: a fresh stack instance of its own (never the shared one).
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { down, kafkaBrokers, registryUrl, StackError, status, up } from '@orderflow/infra';
import {
  CHAOS_STACK_ENV,
  chaosStackConfig,
  dropChaosDatabases,
  survivors,
  usable,
} from './chaos-stack.js';

declare global {
  var __chaosTeardown: (() => Promise<void>) | undefined;
}

function log(message: string): void {
  process.stderr.write(`[chaos] ${message}\n`);
}

/** One chaos run per machine at a time: the stack folder, ports and databases are fixed. */
function takeRunLock(stackDir: string): () => void {
  const lock = path.join(stackDir, 'run.lock');
  mkdirSync(stackDir, { recursive: true });
  try {
    writeFileSync(lock, String(process.pid), { flag: 'wx' });
  } catch {
    const holder = Number(readFileSync(lock, 'utf8'));
    let alive = false;
    try {
      process.kill(holder, 0);
      alive = true;
    } catch {
      // The holder is gone: a run that was killed. Take over.
    }
    if (alive && holder !== process.pid) {
      throw new Error(`another chaos run (pid ${holder}) is using ${stackDir}; wait for it to end`);
    }
    writeFileSync(lock, String(process.pid));
  }
  return () => rmSync(lock, { force: true });
}

export default async function globalSetup(): Promise<void> {
  const t0 = Date.now();
  // Workers inherit this environment: every helper (infra config, testkit, platform.ts) then
  // addresses the chaos stack. Endpoints given for another stack must not leak in.
  Object.assign(process.env, CHAOS_STACK_ENV);
  delete process.env.KAFKA_BROKERS;
  delete process.env.SCHEMA_REGISTRY_URL;
  const config = chaosStackConfig();
  const keep = process.env.CHAOS_KEEP === '1';
  const releaseLock = takeRunLock(config.stackDir);
  globalThis.__chaosTeardown = async () => {
    try {
      if (keep) {
        log(`CHAOS_KEEP=1: the chaos stack keeps running (state in ${config.stackDir})`);
        return;
      }
      const stopped = await down(config);
      log(`stopped ${stopped.map((p) => `${p.component} (${p.pid})`).join(', ') || 'nothing'}`);
      await dropChaosDatabases(config);
      const left = survivors(config);
      if (left.length > 0) {
        throw new Error(`chaos stack processes survived the teardown:\n${left.join('\n')}`);
      }
    } finally {
      releaseLock();
    }
  };
  const rows = await status(config);
  if (keep && rows.every(usable)) {
    // Iterating on a scenario: reuse the stack a CHAOS_KEEP=1 run left up (its data included).
    log('CHAOS_KEEP=1: reusing the running chaos stack');
  } else {
    // Leftovers of an interrupted run (recorded in this stack's own folder only), then a clean slate.
    const leftovers = await down(config);
    if (leftovers.length > 0)
      log(`stopped leftovers of an earlier run: ${leftovers.map((p) => p.component).join(', ')}`);
    await dropChaosDatabases(config);
    log(`starting a stack of its own in ${config.stackDir} (broker ${kafkaBrokers(config)})`);
    try {
      await up(config, { output: 'silent' });
      const notReady = (await status(config)).filter((r) => !usable(r));
      if (notReady.length > 0) {
        throw new Error(
          `chaos stack not ready: ${notReady.map((r) => `${r.component}=${r.state}`).join(', ')}`,
        );
      }
    } catch (error) {
      // Jest prints only the message of a failed global setup; the hint and log tail say why.
      if (error instanceof StackError) log(error.report());
      // Jest skips the global teardown when the setup throws: stop what did start here.
      await down(config);
      releaseLock();
      throw error;
    }
  }
  process.env.KAFKA_BROKERS = kafkaBrokers(config);
  process.env.SCHEMA_REGISTRY_URL = registryUrl(config);
  process.env.DATABASE_URL = config.databaseUrl;
  log(`stack ready in ${((Date.now() - t0) / 1000).toFixed(1)}s`);
}
