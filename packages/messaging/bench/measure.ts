import { mkdir, writeFile } from 'node:fs/promises';
import inspector from 'node:inspector/promises';
import path from 'node:path';
import { progress } from './harness.js';

/** Measuring one scenario: wall time and CPU of its measured window, optionally profiled. */

/** How many messages each scenario warms up with and measures; optionally, where to profile. */
export interface Sizes {
  readonly warmup: number;
  readonly messages: number;
  /** Writes a .cpuprofile of each measured window here (the sampler itself costs some CPU). */
  readonly profileDir?: string;
}

/** Wall time and this process's CPU (user + system, every thread) over `run`. */
export interface Measurement {
  readonly seconds: number;
  readonly cpuMicros: number;
}

export async function measure(
  label: string,
  sizes: Sizes,
  run: () => Promise<void>,
): Promise<Measurement> {
  const profiler = sizes.profileDir ? await startProfiler() : undefined;
  const cpu = process.cpuUsage();
  const start = process.hrtime.bigint();
  await run();
  const seconds = Number(process.hrtime.bigint() - start) / 1e9;
  const used = process.cpuUsage(cpu);
  if (profiler && sizes.profileDir) {
    const file = path.join(sizes.profileDir, `${label}.cpuprofile`);
    await profiler.stopTo(file);
    progress(`${label}: profile of the measured window in ${file}`);
  }
  return { seconds, cpuMicros: used.user + used.system };
}

/** The measured window only: a whole-process --cpu-prof is dominated by start-up and set-up. */
async function startProfiler(): Promise<{ stopTo(file: string): Promise<void> }> {
  const session = new inspector.Session();
  session.connect();
  await session.post('Profiler.enable');
  await session.post('Profiler.start');
  return {
    async stopTo(file) {
      const { profile } = await session.post('Profiler.stop');
      session.disconnect();
      await mkdir(path.dirname(file), { recursive: true });
      await writeFile(file, JSON.stringify(profile));
    },
  };
}
