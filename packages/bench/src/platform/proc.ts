/** Parsers for the few /proc files the resource sampler reads (proc(5)); pure, no I/O. */

export interface ProcStat {
  readonly pid: number;
  readonly comm: string;
  readonly state: string;
  readonly ppid: number;
  /** User and system CPU of every thread of the process, in clock ticks. */
  readonly utimeTicks: number;
  readonly stimeTicks: number;
  /** When the process started, in clock ticks after boot. */
  readonly startTimeTicks: number;
}

/** /proc/<pid>/stat. The command name is in parentheses and may itself hold spaces or ')'. */
export function parseStat(text: string): ProcStat {
  const open = text.indexOf('(');
  const close = text.lastIndexOf(')');
  if (open < 0 || close < open)
    throw new Error(`not a /proc/<pid>/stat line: ${text.slice(0, 80)}`);
  // Fields after the command name, starting with field 3 (state).
  const rest = text
    .slice(close + 2)
    .trim()
    .split(/\s+/);
  const field = (n: number): number => {
    const value = Number(rest[n - 3]);
    if (!Number.isFinite(value)) throw new Error(`/proc stat field ${n} is missing`);
    return value;
  };
  return {
    pid: Number(text.slice(0, open).trim()),
    comm: text.slice(open + 1, close),
    state: rest[0] ?? '?',
    ppid: field(4),
    utimeTicks: field(14),
    stimeTicks: field(15),
    startTimeTicks: field(22),
  };
}

export interface ProcMemory {
  /** Resident now and the process's lifetime peak (high-water mark), in kB. */
  readonly vmRssKb: number;
  readonly vmHwmKb: number;
  /** VmRSS split: private anonymous memory, mapped files, shared memory. */
  readonly rssAnonKb: number;
  readonly rssFileKb: number;
  readonly rssShmemKb: number;
}

/** The memory lines of /proc/<pid>/status (kernel threads have none: all read as 0). */
export function parseStatus(text: string): ProcMemory {
  const kb = (name: string): number => {
    const match = new RegExp(`^${name}:\\s+(\\d+) kB`, 'm').exec(text);
    return match ? Number(match[1]) : 0;
  };
  return {
    vmRssKb: kb('VmRSS'),
    vmHwmKb: kb('VmHWM'),
    rssAnonKb: kb('RssAnon'),
    rssFileKb: kb('RssFile'),
    rssShmemKb: kb('RssShmem'),
  };
}

/** Seconds since boot, from /proc/uptime. */
export function parseUptime(text: string): number {
  const match = /^\s*(\d+(?:\.\d+)?)\s/.exec(text);
  if (!match) throw new Error(`not a /proc/uptime line: ${text}`);
  return Number(match[1]);
}

/** Busy ticks of all CPUs together, from the first line of /proc/stat (guest time is in user). */
export function parseCpuBusyTicks(procStat: string): number {
  const line = procStat.split('\n').find((l) => l.startsWith('cpu '));
  if (!line) throw new Error('no cpu line in /proc/stat');
  const [user, nice, system, , , irq, softirq, steal] = line
    .trim()
    .split(/\s+/)
    .slice(1)
    .map(Number);
  return [user, nice, system, irq, softirq, steal].reduce<number>((sum, v) => sum + (v ?? 0), 0);
}

export type PostgresProcess =
  | { readonly kind: 'backend'; readonly database: string }
  | { readonly kind: 'server'; readonly role: string };

/**
 * What a Postgres child process is, from its retitled command line: a client backend reads
 * `postgres: 15/main: <user> <database> <host>(<port>) <activity>`, a server process
 * `postgres: 15/main: walwriter`. Undefined when it is not a Postgres process title.
 */
export function parsePostgresTitle(cmdline: string): PostgresProcess | undefined {
  const title = cmdline.replaceAll('\0', ' ').trim();
  const match = /^postgres:\s+(?:[^\s:]+:\s+)?(.*)$/.exec(title);
  if (!match) return undefined;
  const words = (match[1] ?? '').split(/\s+/);
  const backend =
    words.length >= 3 && /^(\[local\]|[\d.:a-fA-F]+\(\d+\)|\S+\(\d+\))$/.test(words[2] ?? '');
  if (backend) return { kind: 'backend', database: words[1] ?? '' };
  return { kind: 'server', role: match[1] ?? '' };
}

/**
 * CPU used by a changing set of processes over a window. Each sample adds, per pid, the ticks
 * since that pid's previous sample; a pid seen for the first time counts from its own start
 * when it started inside the window (a backend a pool opened under load), else from that
 * first sample. CPU a process used after its last sample before exiting is not seen.
 */
export class CpuAccumulator {
  private readonly last = new Map<number, number>();
  private total = 0;

  /** `windowStartTicks`: the window's start in clock ticks after boot. */
  constructor(private readonly windowStartTicks: number) {}

  add(stat: ProcStat): void {
    const ticks = stat.utimeTicks + stat.stimeTicks;
    const previous = this.last.get(stat.pid);
    if (previous !== undefined) this.total += Math.max(0, ticks - previous);
    else if (stat.startTimeTicks >= this.windowStartTicks) this.total += ticks;
    this.last.set(stat.pid, ticks);
  }

  get ticks(): number {
    return this.total;
  }
}
