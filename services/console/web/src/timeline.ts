/**
 * A saga's step log laid out as a timeline: per step, a bar from each STARTED to its outcome and
 * one from each COMPENSATING to its confirmation, with marks for retries (a step or compensation
 * sent again), timeouts, replies that came after their step was given up (late) and statuses
 * this page does not know yet. Pure, so it is tested without a browser.
 */
export interface LogEntry {
  readonly step: string;
  readonly status: string;
  readonly at: string;
  readonly detail: string | null;
}

export type BarKind = 'forward' | 'compensation';
export type MarkKind = 'retry' | 'timeout' | 'late' | 'other';

export interface Bar {
  readonly kind: BarKind;
  readonly from: number;
  readonly to: number;
  /** The status that closed it; null while open. */
  readonly outcome: string | null;
  readonly attempt: number;
}

export interface Mark {
  readonly kind: MarkKind;
  readonly at: number;
  readonly status: string;
  readonly detail: string | null;
}

export interface Row {
  readonly step: string;
  readonly bars: readonly Bar[];
  readonly marks: readonly Mark[];
}

export interface Timeline {
  readonly start: number;
  readonly end: number;
  readonly rows: readonly Row[];
}

export const STEP_ORDER = [
  'RESERVE_INVENTORY',
  'PROCESS_PAYMENT',
  'COMMIT_INVENTORY',
  'SCHEDULE_SHIPMENT',
] as const;

const FORWARD_OUTCOMES = new Set(['SUCCEEDED', 'FAILED', 'TIMED_OUT']);
const COMPENSATION_OUTCOMES = new Set(['COMPENSATED', 'COMPENSATION_FAILED']);

interface Open {
  from: number;
  attempt: number;
}

interface Building {
  bars: Bar[];
  marks: Mark[];
  forward: Open | null;
  compensation: Open | null;
  forwardSends: number;
  compensationSends: number;
  /** The forward step was given up (timed out): a reply after it is late. */
  givenUp: boolean;
}

/** `now` closes bars still open (a running saga) at the present; a finished saga at its last entry. */
export function timelineOf(log: readonly LogEntry[], now?: number): Timeline {
  const entries = [...log]
    .map((e) => ({ ...e, t: Date.parse(e.at) }))
    .filter((e) => Number.isFinite(e.t))
    .sort((a, b) => a.t - b.t);
  const byStep = new Map<string, Building>();
  const row = (step: string): Building => {
    let found = byStep.get(step);
    if (!found) {
      found = {
        bars: [],
        marks: [],
        forward: null,
        compensation: null,
        forwardSends: 0,
        compensationSends: 0,
        givenUp: false,
      };
      byStep.set(step, found);
    }
    return found;
  };
  for (const e of entries) {
    const r = row(e.step);
    const mark = (kind: MarkKind) =>
      r.marks.push({ kind, at: e.t, status: e.status, detail: e.detail });
    if (e.status === 'STARTED') {
      r.forwardSends += 1;
      if (r.forward) {
        // Sent again before an outcome: the earlier attempt ends here.
        r.bars.push({
          kind: 'forward',
          from: r.forward.from,
          to: e.t,
          outcome: null,
          attempt: r.forward.attempt,
        });
      }
      if (r.forwardSends > 1) mark('retry');
      r.forward = { from: e.t, attempt: r.forwardSends };
      r.givenUp = false;
    } else if (FORWARD_OUTCOMES.has(e.status)) {
      if (r.forward) {
        r.bars.push({
          kind: 'forward',
          from: r.forward.from,
          to: e.t,
          outcome: e.status,
          attempt: r.forward.attempt,
        });
        r.forward = null;
        if (e.status === 'TIMED_OUT') {
          mark('timeout');
          r.givenUp = true;
        }
      } else {
        mark(r.givenUp ? 'late' : 'other');
      }
    } else if (e.status === 'COMPENSATING') {
      r.compensationSends += 1;
      if (r.compensation) mark('retry');
      else r.compensation = { from: e.t, attempt: r.compensationSends };
    } else if (COMPENSATION_OUTCOMES.has(e.status)) {
      if (r.compensation) {
        r.bars.push({
          kind: 'compensation',
          from: r.compensation.from,
          to: e.t,
          outcome: e.status,
          attempt: r.compensation.attempt,
        });
        r.compensation = null;
      } else {
        mark('late');
      }
    } else {
      // Entries newer than this page (e.g. a retry policy's own statuses) still show, as marks.
      mark(/RETR/.test(e.status) ? 'retry' : 'other');
    }
  }
  const first = entries[0]?.t ?? now ?? 0;
  const last = entries.at(-1)?.t ?? first;
  const end = Math.max(last, now ?? last);
  const rows: Row[] = [];
  const steps = [
    ...STEP_ORDER.filter((s) => byStep.has(s)),
    ...[...byStep.keys()].filter((s) => !(STEP_ORDER as readonly string[]).includes(s)),
  ];
  for (const step of steps) {
    const r = row(step);
    const bars = [...r.bars];
    if (r.forward)
      bars.push({
        kind: 'forward',
        from: r.forward.from,
        to: end,
        outcome: null,
        attempt: r.forward.attempt,
      });
    if (r.compensation)
      bars.push({
        kind: 'compensation',
        from: r.compensation.from,
        to: end,
        outcome: null,
        attempt: r.compensation.attempt,
      });
    rows.push({ step, bars, marks: r.marks });
  }
  return { start: first, end, rows };
}
