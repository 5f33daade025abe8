import { execFile } from 'node:child_process';
import { readdir, readFile } from 'node:fs/promises';
import { promisify } from 'node:util';
import {
  CpuAccumulator,
  parseCpuBusyTicks,
  parsePostgresTitle,
  parseStat,
  parseStatus,
  parseUptime,
  type PostgresProcess,
  type ProcMemory,
  type ProcStat,
} from './proc.js';

/**
 * CPU and memory of the platform's processes over a window, read from /proc: each service's
 * Node process, the Kafka and registry JVMs, the Postgres processes serving the platform's
 * databases (summed), and this benchmark process itself.
 */
export interface ProcessGroup {
  readonly name: string;
  /** `database`: the backends of one database, a breakdown of `postgres` (not added to it). */
  readonly kind: 'service' | 'jvm' | 'postgres' | 'database' | 'bench';
  /** The pids to read at each sample (Postgres: the backends of the moment). */
  readonly pids: () => Promise<number[]>;
}

export interface ResourceUsage {
  readonly name: string;
  /** `other`: every process on the machine that is none of the groups (other users' work). */
  readonly kind: ProcessGroup['kind'] | 'other';
  readonly cpuSeconds: number;
  /** Average cores busy over the window: cpuSeconds / wall seconds. */
  readonly cores: number;
  /** Highest resident memory seen at a sample, MB (Postgres: see `postgresResident`). */
  readonly peakRssMb: number;
  /** The kernel's lifetime high-water mark (VmHWM) at the end, MB; single processes only. */
  readonly lifetimePeakRssMb?: number;
}

const run = promisify(execFile);

let clockTicks: Promise<number> | undefined;
/** USER_HZ, the unit of /proc CPU times (100 on Linux/x86, but ask). */
export function clockTicksPerSecond(): Promise<number> {
  clockTicks ??= run('getconf', ['CLK_TCK']).then(
    ({ stdout }) => Number(stdout.trim()) || 100,
    () => 100,
  );
  return clockTicks;
}

async function readProc(pid: number): Promise<{ stat: ProcStat; memory: ProcMemory } | undefined> {
  try {
    const [stat, status] = await Promise.all([
      readFile(`/proc/${pid}/stat`, 'utf8'),
      readFile(`/proc/${pid}/status`, 'utf8'),
    ]);
    return { stat: parseStat(stat), memory: parseStatus(status) };
  } catch {
    return undefined; // exited between listing and reading
  }
}

/**
 * Resident memory of a set of Postgres processes: each one's private memory, plus the shared
 * buffers and the mapped binary once (every backend maps the same ones; summing VmRSS would
 * count shared_buffers once per backend).
 */
export function postgresResidentKb(memories: readonly ProcMemory[]): number {
  const anon = memories.reduce((sum, m) => sum + m.rssAnonKb, 0);
  const shmem = Math.max(0, ...memories.map((m) => m.rssShmemKb));
  const file = Math.max(0, ...memories.map((m) => m.rssFileKb));
  return anon + shmem + file;
}

async function children(pid: number): Promise<number[]> {
  try {
    const text = await readFile(`/proc/${pid}/task/${pid}/children`, 'utf8');
    return text.trim().split(/\s+/).filter(Boolean).map(Number);
  } catch {
    return [];
  }
}

/** Postgres server processes (postmasters): a `postgres` whose parent is not one. */
export async function findPostmasters(): Promise<number[]> {
  const pids = (await readdir('/proc')).filter((d) => /^\d+$/.test(d)).map(Number);
  const stats = new Map<number, ProcStat>();
  await Promise.all(
    pids.map(async (pid) => {
      const text = await readFile(`/proc/${pid}/stat`, 'utf8').catch(() => undefined);
      if (text) stats.set(pid, parseStat(text));
    }),
  );
  return [...stats.values()]
    .filter((s) => s.comm === 'postgres' && stats.get(s.ppid)?.comm !== 'postgres')
    .map((s) => s.pid);
}

/**
 * The Postgres processes that serve `databases`: their client backends plus the server's own
 * processes (WAL writer, checkpointer, ...), whose work the platform's writes cause too.
 * Backends of other databases (other suites sharing the server) are left out.
 */
export function postgresGroup(
  postmasters: readonly number[],
  databases: ReadonlySet<string>,
  withServer = true,
) {
  // A backend serves one database for life: its title is read once, and forgotten when the pid
  // leaves the postmaster's children (so a reused pid is read afresh).
  const titles = new Map<number, PostgresProcess>();
  return async (): Promise<number[]> => {
    const out: number[] = withServer ? [...postmasters] : [];
    const current = (await Promise.all(postmasters.map(children))).flat();
    for (const pid of titles.keys()) if (!current.includes(pid)) titles.delete(pid);
    for (const pid of current) {
      let what = titles.get(pid);
      if (!what) {
        // Not cached when unreadable: a just-forked backend shows the postmaster's command
        // line until it sets its title.
        const cmdline = await readFile(`/proc/${pid}/cmdline`, 'utf8').catch(() => '');
        what = parsePostgresTitle(cmdline);
        if (!what) continue;
        titles.set(pid, what);
      }
      if (what.kind === 'server' ? withServer : databases.has(what.database)) out.push(pid);
    }
    return out;
  };
}

interface GroupState {
  readonly group: ProcessGroup;
  readonly cpu: CpuAccumulator;
  peakRssKb: number;
  lifetimePeakKb: number;
}

/** Samples every group every `intervalMs` between start() and stop(). */
export class ResourceSampler {
  private states: GroupState[] = [];
  private timer: NodeJS.Timeout | undefined;
  private sampling: Promise<void> = Promise.resolve();
  private startedAt = 0;
  private machineBusyAtStart = 0;

  constructor(
    private readonly groups: readonly ProcessGroup[],
    private readonly intervalMs = 500,
  ) {}

  async start(): Promise<void> {
    const hz = await clockTicksPerSecond();
    const uptime = parseUptime(await readFile('/proc/uptime', 'utf8'));
    const windowStart = uptime * hz;
    this.startedAt = performance.now();
    this.machineBusyAtStart = parseCpuBusyTicks(await readFile('/proc/stat', 'utf8'));
    this.states = this.groups.map((group) => ({
      group,
      cpu: new CpuAccumulator(windowStart),
      peakRssKb: 0,
      lifetimePeakKb: 0,
    }));
    await this.sample();
    this.timer = setInterval(() => {
      this.sampling = this.sampling.then(() => this.sample());
    }, this.intervalMs);
  }

  private async sample(): Promise<void> {
    await Promise.all(
      this.states.map(async (state) => {
        const pids = await state.group.pids();
        const read = (await Promise.all(pids.map(readProc))).filter((r) => r !== undefined);
        for (const r of read) state.cpu.add(r.stat);
        const memories = read.map((r) => r.memory);
        const resident =
          state.group.kind === 'postgres' || state.group.kind === 'database'
            ? postgresResidentKb(memories)
            : memories.reduce((sum, m) => sum + m.vmRssKb, 0);
        state.peakRssKb = Math.max(state.peakRssKb, resident);
        state.lifetimePeakKb = Math.max(0, ...memories.map((m) => m.vmHwmKb));
      }),
    );
  }

  async stop(): Promise<ResourceUsage[]> {
    clearInterval(this.timer);
    await this.sampling;
    await this.sample();
    const hz = await clockTicksPerSecond();
    const wallSeconds = (performance.now() - this.startedAt) / 1000;
    const machineBusy = parseCpuBusyTicks(await readFile('/proc/stat', 'utf8'));
    const measured = this.states
      .filter((s) => s.group.kind !== 'database')
      .reduce((sum, s) => sum + s.cpu.ticks, 0);
    const otherSeconds = Math.max(0, machineBusy - this.machineBusyAtStart - measured) / hz;
    const other: ResourceUsage = {
      name: 'other processes',
      kind: 'other',
      cpuSeconds: otherSeconds,
      cores: wallSeconds > 0 ? otherSeconds / wallSeconds : 0,
      peakRssMb: 0,
    };
    const groups = this.states.map(({ group, cpu, peakRssKb, lifetimePeakKb }) => {
      const cpuSeconds = cpu.ticks / hz;
      return {
        name: group.name,
        kind: group.kind,
        cpuSeconds,
        cores: wallSeconds > 0 ? cpuSeconds / wallSeconds : 0,
        peakRssMb: peakRssKb / 1024,
        ...(group.kind === 'postgres' || group.kind === 'database'
          ? {}
          : { lifetimePeakRssMb: lifetimePeakKb / 1024 }),
      };
    });
    return [...groups, other];
  }
}
