import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Measurement } from './measure.js';

/** Turns measurements into the printed table and the JSON record kept under out/bench/. */
export interface Row {
  readonly id: string;
  readonly scenario: string;
  readonly messages: number;
  readonly seconds: number;
  readonly msgsPerSecond: number;
  readonly cpuMicrosPerMessage: number;
  /** Id of the row this one is compared with; its ratio is CPU per message over the baseline's. */
  readonly baseline?: string;
  readonly cpuRatio?: number;
  readonly throughputRatio?: number;
  readonly target?: number;
  /** A second comparison (CPU per message over that row's), shown beside the first. */
  readonly reference?: string;
  readonly referenceCpuRatio?: number;
}

export function row(
  id: string,
  scenario: string,
  messages: number,
  m: Measurement,
  against?: { readonly baseline: Row; readonly target?: number; readonly reference?: Row },
): Row {
  const msgsPerSecond = messages / m.seconds;
  const cpuMicrosPerMessage = m.cpuMicros / messages;
  if (!against)
    return { id, scenario, messages, seconds: m.seconds, msgsPerSecond, cpuMicrosPerMessage };
  return {
    id,
    scenario,
    messages,
    seconds: m.seconds,
    msgsPerSecond,
    cpuMicrosPerMessage,
    baseline: against.baseline.id,
    cpuRatio: cpuMicrosPerMessage / against.baseline.cpuMicrosPerMessage,
    throughputRatio: msgsPerSecond / against.baseline.msgsPerSecond,
    target: against.target,
    ...(against.reference && {
      reference: against.reference.id,
      referenceCpuRatio: cpuMicrosPerMessage / against.reference.cpuMicrosPerMessage,
    }),
  };
}

export function table(rows: readonly Row[]): string {
  const header = ['scenario', 'messages', 'seconds', 'msgs/s', 'CPU µs/msg', 'ratio vs baseline'];
  const cells = rows.map((r) => [
    `${r.id} ${r.scenario}`,
    String(r.messages),
    r.seconds.toFixed(2),
    Math.round(r.msgsPerSecond).toString(),
    r.cpuMicrosPerMessage.toFixed(1),
    r.cpuRatio === undefined
      ? 'baseline'
      : `${r.cpuRatio.toFixed(2)}× vs ${r.baseline ?? ''}` +
        (r.target === undefined ? '' : ` (target ≤ ${r.target}×)`) +
        (r.referenceCpuRatio === undefined
          ? ''
          : `; ${r.referenceCpuRatio.toFixed(2)}× vs ${r.reference ?? ''}`),
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...cells.map((c) => c[i]?.length ?? 0)));
  const line = (c: readonly string[]) =>
    `| ${c.map((v, i) => (i === 0 ? v.padEnd(widths[i] ?? 0) : v.padStart(widths[i] ?? 0))).join(' | ')} |`;
  const rule = `|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`;
  return [line(header), rule, ...cells.map(line)].join('\n');
}

const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');

/** Writes the run to out/bench/messaging-<timestamp>.json at the repository root; returns the path. */
export async function writeJson(record: object, startedAt: Date): Promise<string> {
  const dir = path.join(REPO_ROOT, 'out', 'bench');
  await mkdir(dir, { recursive: true });
  const file = path.join(dir, `messaging-${startedAt.toISOString().replaceAll(':', '-')}.json`);
  await writeFile(file, `${JSON.stringify(record, null, 2)}\n`);
  return file;
}
