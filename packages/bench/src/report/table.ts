/**
 * A pipe table that reads as-is in a terminal and renders in markdown: the same text is
 * printed and written to the report.
 */
export type Align = 'left' | 'right';

export function renderTable(
  header: readonly string[],
  rows: readonly (readonly string[])[],
  align: readonly Align[] = header.map((_, i) => (i === 0 ? 'left' : 'right')),
): string {
  const widths = header.map((h, i) =>
    Math.max(h.length, 3, ...rows.map((r) => (r[i] ?? '').length)),
  );
  const cell = (value: string, i: number) =>
    align[i] === 'right' ? value.padStart(widths[i] ?? 0) : value.padEnd(widths[i] ?? 0);
  const line = (cells: readonly string[]) =>
    `| ${header.map((_, i) => cell(cells[i] ?? '', i)).join(' | ')} |`;
  const rule = `|${widths
    .map((w, i) => (align[i] === 'right' ? `${'-'.repeat(w + 1)}:` : `:${'-'.repeat(w + 1)}`))
    .join('|')}|`;
  return [line(header), rule, ...rows.map(line)].join('\n');
}

/** Milliseconds: one decimal below 10, whole above. */
export function ms(value: number | undefined): string {
  if (value === undefined || !Number.isFinite(value)) return '–';
  return value < 10 ? value.toFixed(1) : Math.round(value).toString();
}

/** A rate or count: one decimal below 100, whole above. */
export function num(value: number | undefined): string {
  if (value === undefined || !Number.isFinite(value)) return '–';
  return value < 100 ? value.toFixed(1) : Math.round(value).toString();
}

/** project ÷ baseline as `2.35×`. */
export function ratio(project: number | undefined, baseline: number | undefined): string {
  if (project === undefined || baseline === undefined || !(baseline > 0)) return '–';
  const r = project / baseline;
  return `${r < 0.1 ? r.toPrecision(2) : r.toFixed(2)}×`;
}
