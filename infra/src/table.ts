import Table from 'cli-table3';

/** Renders rows (one object per row, same keys) as a terminal table with upper-case headers. */
export function renderTable(rows: readonly Record<string, string>[]): string {
  const first = rows[0];
  if (!first) return '';
  const columns = Object.keys(first);
  const table = new Table({
    head: columns.map((c) => c.toUpperCase()),
    style: { head: [], border: [] },
  });
  table.push(...rows.map((r) => columns.map((c) => r[c] ?? '')));
  return table.toString();
}
