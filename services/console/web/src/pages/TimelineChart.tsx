import { timelineOf, type Bar, type LogEntry, type Mark } from '../timeline.js';

/** The saga timeline as SVG: a row per step, forward bars above, compensation bars below. */
const WIDTH = 760;
const LABEL = 170;
const ROW = 44;
const TOP = 24;

const barClass = (bar: Bar) =>
  bar.kind === 'compensation'
    ? `bar comp ${bar.outcome === 'COMPENSATION_FAILED' ? 'bad' : bar.outcome ? 'ok' : 'open'}`
    : `bar fwd ${bar.outcome === 'SUCCEEDED' ? 'ok' : bar.outcome ? 'bad' : 'open'}`;

const markSymbol: Record<Mark['kind'], string> = {
  retry: '↻',
  timeout: '⏱',
  late: '✉',
  other: '•',
};

export function TimelineChart({ log, running }: { log: LogEntry[]; running: boolean }) {
  const t = timelineOf(log, running ? Date.now() : undefined);
  const span = Math.max(t.end - t.start, 1_000);
  const x = (ms: number) => LABEL + ((ms - t.start) / span) * (WIDTH - LABEL - 16);
  const height = TOP + t.rows.length * ROW + 8;
  const seconds = span / 1000;
  return (
    <figure class="timeline">
      <svg
        role="img"
        aria-labelledby="timeline-title timeline-desc"
        viewBox={`0 0 ${WIDTH} ${height}`}
        width="100%"
        data-testid="saga-timeline"
      >
        <title id="timeline-title">Saga timeline</title>
        <desc id="timeline-desc">
          {t.rows
            .map(
              (r) =>
                `${r.step}: ${r.bars.map((b) => `${b.kind} ${b.outcome ?? 'open'}`).join(', ')}`,
            )
            .join('; ')}
        </desc>
        <text x={LABEL} y={14} class="axis">
          0 s
        </text>
        <text x={WIDTH - 16} y={14} class="axis" text-anchor="end">
          {seconds.toFixed(seconds < 10 ? 1 : 0)} s
        </text>
        {t.rows.map((row, i) => {
          const y = TOP + i * ROW;
          return (
            <g key={row.step} data-step={row.step}>
              <text x={4} y={y + ROW / 2 + 4} class="label">
                {row.step}
              </text>
              <line x1={LABEL} x2={WIDTH - 16} y1={y + ROW - 2} y2={y + ROW - 2} class="grid" />
              {row.bars.map((bar, j) => (
                <rect
                  key={j}
                  class={barClass(bar)}
                  data-kind={bar.kind}
                  data-outcome={bar.outcome ?? 'open'}
                  x={x(bar.from)}
                  y={bar.kind === 'forward' ? y + 4 : y + ROW / 2 + 1}
                  width={Math.max(3, x(bar.to) - x(bar.from))}
                  height={ROW / 2 - 6}
                  rx={2}
                >
                  <title>{`${row.step} ${bar.kind} attempt ${bar.attempt}: ${bar.outcome ?? 'in flight'} after ${((bar.to - bar.from) / 1000).toFixed(2)} s`}</title>
                </rect>
              ))}
              {row.marks.map((mark, j) => (
                <text
                  key={`m${j}`}
                  class={`mark mark-${mark.kind}`}
                  data-mark={mark.kind}
                  x={x(mark.at)}
                  y={y + ROW / 2 + 4}
                  text-anchor="middle"
                >
                  {markSymbol[mark.kind]}
                  <title>{`${mark.kind}: ${mark.status}${mark.detail ? ` — ${mark.detail}` : ''}`}</title>
                </text>
              ))}
            </g>
          );
        })}
      </svg>
      <figcaption>
        Upper bars: the step from STARTED to its outcome (green succeeded, red failed or timed out).
        Lower bars: its compensation. Marks: R retry or re-send, T timeout, L late reply, • other
        entry.
      </figcaption>
    </figure>
  );
}
