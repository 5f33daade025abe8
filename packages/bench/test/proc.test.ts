import { describe, expect, it } from '@jest/globals';
import {
  CpuAccumulator,
  parseCpuBusyTicks,
  parsePostgresTitle,
  parseStat,
  parseStatus,
  parseUptime,
} from '../src/platform/proc.js';
import { postgresResidentKb } from '../src/platform/resources.js';

// Lines as the kernel writes them (a Postgres postmaster, trimmed of nothing).
const STAT =
  '2192 (postgres) S 1 2192 2192 0 -1 4194304 9866 434629 0 24 26 106 3513 2032 20 0 1 0 4681 222445568 7407 18446744073709551615 94595167256576 94595172712921 140733031325568 0 0 0 0 24129536 84487 1 0 0 17 1 0 0 0 0 0';

const STATUS = `Name:\tpostgres
State:\tS (sleeping)
VmPeak:\t  218340 kB
VmHWM:\t  111316 kB
VmRSS:\t  111016 kB
RssAnon:\t    3076 kB
RssFile:\t    5240 kB
RssShmem:\t  102700 kB
Threads:\t1
`;

describe('parseStat', () => {
  it('reads pid, parent, CPU ticks and start time', () => {
    expect(parseStat(STAT)).toEqual({
      pid: 2192,
      comm: 'postgres',
      state: 'S',
      ppid: 1,
      utimeTicks: 26,
      stimeTicks: 106,
      startTimeTicks: 4681,
    });
  });

  it('copes with spaces and parentheses in the command name', () => {
    const line = STAT.replace('(postgres)', '(node (main) x)');
    const stat = parseStat(line);
    expect(stat.comm).toBe('node (main) x');
    expect(stat.utimeTicks).toBe(26);
    expect(stat.ppid).toBe(1);
  });

  it('refuses what is not a stat line', () => {
    expect(() => parseStat('nonsense')).toThrow(/not a \/proc/);
  });
});

describe('parseStatus', () => {
  it('reads resident, peak and the resident split in kB', () => {
    expect(parseStatus(STATUS)).toEqual({
      vmRssKb: 111016,
      vmHwmKb: 111316,
      rssAnonKb: 3076,
      rssFileKb: 5240,
      rssShmemKb: 102700,
    });
  });

  it('reads a kernel thread (no memory lines) as zeros', () => {
    expect(parseStatus('Name:\tkthreadd\n').vmRssKb).toBe(0);
  });
});

describe('parseUptime', () => {
  it('takes the seconds since boot', () => {
    expect(parseUptime('1713.25 3100.02\n')).toBe(1713.25);
    expect(() => parseUptime('')).toThrow();
  });
});

describe('parseCpuBusyTicks', () => {
  it('adds user, nice, system, irq, softirq and steal, not idle or iowait', () => {
    const stat = 'cpu  403025 7 161528 43147 939 5 3824 2 0 0\ncpu0 1 2 3 4 5 6 7 8 0 0\n';
    expect(parseCpuBusyTicks(stat)).toBe(403025 + 7 + 161528 + 5 + 3824 + 2);
    expect(() => parseCpuBusyTicks('intr 1 2 3')).toThrow(/no cpu line/);
  });
});

describe('parsePostgresTitle', () => {
  it('tells a client backend and its database from a server process', () => {
    const nul = (s: string) => `${s}\0\0\0`;
    expect(
      parsePostgresTitle(nul('postgres: 15/main: postgres orderflow_saga 127.0.0.1(44060) idle')),
    ).toEqual({ kind: 'backend', database: 'orderflow_saga' });
    expect(
      parsePostgresTitle('postgres: 15/main: app chaos_orderflow_orders [local] SELECT'),
    ).toEqual({ kind: 'backend', database: 'chaos_orderflow_orders' });
    expect(parsePostgresTitle(nul('postgres: 15/main: walwriter'))).toEqual({
      kind: 'server',
      role: 'walwriter',
    });
    expect(parsePostgresTitle('postgres: 15/main: logical replication launcher')).toEqual({
      kind: 'server',
      role: 'logical replication launcher',
    });
  });

  it('is undefined for anything else', () => {
    expect(parsePostgresTitle('/usr/lib/postgresql/15/bin/postgres\0-D\0/var/lib')).toBeUndefined();
    expect(parsePostgresTitle('node\0main.ts')).toBeUndefined();
  });
});

describe('CpuAccumulator', () => {
  const stat = (pid: number, ticks: number, startTimeTicks = 0) => ({
    pid,
    comm: 'x',
    state: 'S',
    ppid: 1,
    utimeTicks: ticks,
    stimeTicks: 0,
    startTimeTicks,
  });

  it('adds each process’s ticks since its previous sample', () => {
    const cpu = new CpuAccumulator(1_000);
    cpu.add(stat(1, 500));
    cpu.add(stat(2, 70));
    cpu.add(stat(1, 530));
    cpu.add(stat(2, 75));
    cpu.add(stat(1, 560));
    expect(cpu.ticks).toBe(65);
  });

  it('counts a process started inside the window from its start', () => {
    const cpu = new CpuAccumulator(1_000);
    cpu.add(stat(9, 40, 1_200));
    cpu.add(stat(9, 45, 1_200));
    expect(cpu.ticks).toBe(45);
  });

  it('never counts backwards (a reused pid)', () => {
    const cpu = new CpuAccumulator(1_000);
    cpu.add(stat(3, 100));
    cpu.add(stat(3, 10));
    expect(cpu.ticks).toBe(0);
  });
});

describe('postgresResidentKb', () => {
  it('sums private memory and counts shared buffers and the binary once', () => {
    const m = (anon: number, file: number, shmem: number) => ({
      vmRssKb: anon + file + shmem,
      vmHwmKb: 0,
      rssAnonKb: anon,
      rssFileKb: file,
      rssShmemKb: shmem,
    });
    expect(postgresResidentKb([m(3000, 5000, 100_000), m(2000, 4000, 60_000)])).toBe(
      3000 + 2000 + 5000 + 100_000,
    );
    expect(postgresResidentKb([])).toBe(0);
  });
});
