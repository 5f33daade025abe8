/** Records handled per second and mean handler time over the sampled minutes, as two SVG lines. */
export interface RatePoint {
  at: string;
  perSecond: number;
  meanHandlerMs: number | null;
}

const W = 760;
const H = 200;
const PAD = 40;

function path(values: (number | null)[], max: number): string {
  const step = (W - 2 * PAD) / Math.max(values.length - 1, 1);
  let d = '';
  values.forEach((v, i) => {
    if (v === null) return;
    const x = PAD + i * step;
    const y = H - PAD - (v / max) * (H - 2 * PAD);
    d += `${d === '' ? 'M' : 'L'}${x.toFixed(1)},${y.toFixed(1)} `;
  });
  return d.trim();
}

export function RateChart({ points }: { points: RatePoint[] }) {
  if (points.length < 2) return <p>Sampling… the chart appears after a few samples.</p>;
  const rate = points.map((p) => p.perSecond);
  const latency = points.map((p) => p.meanHandlerMs);
  const maxRate = Math.max(1, ...rate);
  const maxLatency = Math.max(1, ...latency.map((l) => l ?? 0));
  const last = points.at(-1);
  return (
    <figure>
      <svg
        role="img"
        aria-labelledby="rate-title"
        viewBox={`0 0 ${W} ${H}`}
        width="100%"
        data-testid="rate-chart"
      >
        <title id="rate-title">
          {`Throughput up to ${maxRate.toFixed(1)} records/s and mean handler time up to ${maxLatency.toFixed(1)} ms over ${points.length} samples`}
        </title>
        <line x1={PAD} x2={W - PAD} y1={H - PAD} y2={H - PAD} class="grid" />
        <text x={4} y={PAD} class="axis rate">{`${maxRate.toFixed(1)}/s`}</text>
        <text
          x={W - 4}
          y={PAD}
          class="axis latency"
          text-anchor="end"
        >{`${maxLatency.toFixed(1)} ms`}</text>
        <text x={PAD} y={H - 12} class="axis">
          {new Date(points[0]?.at ?? '').toLocaleTimeString()}
        </text>
        <text x={W - PAD} y={H - 12} class="axis" text-anchor="end">
          {new Date(last?.at ?? '').toLocaleTimeString()}
        </text>
        <path d={path(rate, maxRate)} class="line rate" />
        <path d={path(latency, maxLatency)} class="line latency" />
      </svg>
      <figcaption>
        <span class="rate">■ records handled per second</span> ·{' '}
        <span class="latency">■ mean handler time (ms)</span>; now{' '}
        {last
          ? `${last.perSecond.toFixed(1)}/s, ${last.meanHandlerMs === null ? '—' : `${last.meanHandlerMs.toFixed(1)} ms`}`
          : '—'}
      </figcaption>
    </figure>
  );
}
