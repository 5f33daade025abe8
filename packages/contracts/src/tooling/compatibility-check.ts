import type avro from 'avsc';
import { modeRules, type CompatibilityMode } from '../compatibility.js';
import { explain, type Incompatibility } from './explain.js';

export interface ChainVersion {
  readonly version: number;
  readonly avro: avro.Type;
}

type Direction = 'BACKWARD' | 'FORWARD';

/**
 * Checks each version of one message against its predecessors under `mode`, offline. BACKWARD
 * takes the newer schema as reader of the older's data; FORWARD the reverse. Returns one line
 * per broken pair and direction, naming the fields, e.g.
 * "orders.OrderPlaced v3 is not BACKWARD compatible with v1: field `channel` was added without a default".
 */
export function checkChain(
  label: string,
  versions: readonly ChainVersion[],
  mode: CompatibilityMode,
): string[] {
  if (mode === 'NONE') return [];
  const rules = modeRules(mode);
  const problems: string[] = [];
  versions.forEach((newer, i) => {
    const earlier = rules.transitive ? versions.slice(0, i) : versions.slice(Math.max(0, i - 1), i);
    for (const older of earlier) {
      if (rules.backward) problems.push(...pair(label, newer, older, 'BACKWARD'));
      if (rules.forward) problems.push(...pair(label, newer, older, 'FORWARD'));
    }
  });
  return problems;
}

function pair(
  label: string,
  newer: ChainVersion,
  older: ChainVersion,
  direction: Direction,
): string[] {
  const [reader, writer] = direction === 'BACKWARD' ? [newer, older] : [older, newer];
  const reasons = explain(reader.avro, writer.avro).map((r) =>
    describe(r, direction, newer.version, older.version),
  );
  if (reasons.length === 0) return [];
  return [
    `${label} v${newer.version} is not ${direction} compatible with v${older.version}: ${reasons.join('; ')}`,
  ];
}

/** Phrased from the point of view of the change (older → newer), which is what an author edited. */
function describe(r: Incompatibility, direction: Direction, newer: number, older: number): string {
  const at = r.path ? `field \`${r.path}\`` : 'the record';
  const [readerV, writerV] = direction === 'BACKWARD' ? [newer, older] : [older, newer];
  switch (r.kind) {
    case 'missing-field':
      return direction === 'BACKWARD'
        ? `${at} was added without a default`
        : `${at} was removed, but v${older} readers need it (it has no default there)`;
    case 'type-mismatch':
      return `${at} changed type between v${older} and v${newer}: a v${readerV} reader cannot read \`${r.writer}\` (written by v${writerV}) as \`${r.reader}\``;
    case 'enum-symbols':
      return direction === 'BACKWARD'
        ? `${at}: enum ${r.enumName} dropped symbol(s) ${r.symbols.join(', ')} that v${older} data may hold, and v${newer} declares no enum default`
        : `${at}: enum ${r.enumName} added symbol(s) ${r.symbols.join(', ')} that v${older} readers do not know, and v${older} declares no enum default`;
    case 'renamed': {
      const [from, to] = direction === 'BACKWARD' ? [r.writer, r.reader] : [r.reader, r.writer];
      return `${at}: type renamed from ${from} to ${to}, and v${readerV} lists no alias ${r.writer}`;
    }
    case 'unexplained':
      return `${at}: ${r.detail}`;
  }
}
