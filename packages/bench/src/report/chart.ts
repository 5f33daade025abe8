import type { RunRecord } from '../results.js';

/**
 * Latency versus throughput as an SVG (hand-written: a handful of lines and points need no
 * plotting library); render.ts rasterizes it to PNG. x: completed per second, y: latency in ms
 * on a log scale; one point per offered rate, labelled with it.
 */
export interface Series {
  readonly name: string;
  readonly color: string;
  readonly dashed: boolean;
  readonly points: readonly { readonly x: number; readonly y: number; readonly label: string }[];
}

export function chartSeries(record: RunRecord): Series[] {
  const platform = record.platform.filter((s) => s.latencyMs);
  const chain = record.chain.filter((s) => s.latencyMs);
  const series: Series[] = [
    {
      name: 'project p50 (placed → final)',
      color: '#1f5fbf',
      dashed: false,
      points: platform.map((s) => ({
        x: s.completedPerSecond,
        y: s.latencyMs?.p50 ?? 0,
        label: `${s.rate}/s`,
      })),
    },
    {
      name: 'project p99',
      color: '#1f5fbf',
      dashed: true,
      points: platform.map((s) => ({
        x: s.completedPerSecond,
        y: s.latencyMs?.p99 ?? 0,
        label: '',
      })),
    },
    {
      name: `raw kafkajs chain p50 (${record.hops} hops, no DB)`,
      color: '#d9731a',
      dashed: false,
      points: chain.map((s) => ({ x: s.deliveredPerSecond, y: s.latencyMs?.p50 ?? 0, label: '' })),
    },
    {
      name: 'raw kafkajs chain p99',
      color: '#d9731a',
      dashed: true,
      points: chain.map((s) => ({ x: s.deliveredPerSecond, y: s.latencyMs?.p99 ?? 0, label: '' })),
    },
  ];
  return series.filter((s) => s.points.length > 0);
}

/** A round step giving about `count` ticks over [0, max]. */
export function niceStep(max: number, count = 6): number {
  const raw = max / count;
  const magnitude = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 2.5, 5, 10].map((m) => m * magnitude).find((s) => s >= raw);
  return step ?? 10 * magnitude;
}

/** 1-2-5 ticks per decade covering [min, max]. */
export function logTicks(min: number, max: number): number[] {
  const ticks: number[] = [];
  for (let e = Math.floor(Math.log10(min)); e <= Math.ceil(Math.log10(max)); e++)
    for (const m of [1, 2, 5]) ticks.push(m * 10 ** e);
  return ticks.filter((t) => t >= min / 1.0001 && t <= max * 1.0001);
}

function escape(text: string): string {
  return text.replaceAll('&', '&amp;').replaceAll('<', '&lt;').replaceAll('>', '&gt;');
}

export interface ChartOptions {
  readonly title: string;
  readonly width?: number;
  readonly height?: number;
  /** Reference lines: a throughput (x) and latencies (y), each with a label. */
  readonly targets?: {
    readonly x?: { readonly value: number; readonly label: string };
    readonly y?: readonly { readonly value: number; readonly label: string }[];
  };
}

export function latencyThroughputSvg(series: readonly Series[], options: ChartOptions): string {
  const width = options.width ?? 960;
  const height = options.height ?? 560;
  const m = { left: 70, right: 24, top: 48, bottom: 110 };
  const plotW = width - m.left - m.right;
  const plotH = height - m.top - m.bottom;
  const points = series.flatMap((s) => s.points);
  const targetX = options.targets?.x;
  const targetY = options.targets?.y ?? [];
  const xMaxData = Math.max(1, ...points.map((p) => p.x), targetX?.value ?? 0);
  const step = niceStep(xMaxData * 1.05);
  const xMax = Math.ceil((xMaxData * 1.05) / step) * step;
  const ys = [...points.map((p) => p.y), ...targetY.map((t) => t.value)].filter((y) => y > 0);
  const yMin = 10 ** Math.floor(Math.log10(Math.max(0.1, Math.min(...ys, 10))));
  const yMax = 10 ** Math.ceil(Math.log10(Math.max(...ys, 10)));
  const sx = (x: number) => m.left + (x / xMax) * plotW;
  const sy = (y: number) =>
    m.top +
    plotH -
    ((Math.log10(Math.max(y, yMin)) - Math.log10(yMin)) / Math.log10(yMax / yMin)) * plotH;

  const out: string[] = [];
  out.push(
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="DejaVu Sans, Arial, sans-serif" font-size="13">`,
    `<rect width="100%" height="100%" fill="#ffffff"/>`,
    `<text x="${width / 2}" y="28" text-anchor="middle" font-size="17" font-weight="bold">${escape(options.title)}</text>`,
  );
  for (let x = 0; x <= xMax + 1e-9; x += step) {
    out.push(
      `<line x1="${sx(x)}" y1="${m.top}" x2="${sx(x)}" y2="${m.top + plotH}" stroke="#e6e6e6"/>`,
      `<text x="${sx(x)}" y="${m.top + plotH + 18}" text-anchor="middle">${Number(x.toFixed(2))}</text>`,
    );
  }
  for (const y of logTicks(yMin, yMax)) {
    out.push(
      `<line x1="${m.left}" y1="${sy(y)}" x2="${m.left + plotW}" y2="${sy(y)}" stroke="#e6e6e6"/>`,
      `<text x="${m.left - 8}" y="${sy(y) + 4}" text-anchor="end">${y}</text>`,
    );
  }
  out.push(
    `<rect x="${m.left}" y="${m.top}" width="${plotW}" height="${plotH}" fill="none" stroke="#444"/>`,
    `<text x="${m.left + plotW / 2}" y="${m.top + plotH + 40}" text-anchor="middle">completed orders/s (chain: delivered/s)</text>`,
    `<text transform="translate(18 ${m.top + plotH / 2}) rotate(-90)" text-anchor="middle">latency, ms (log scale)</text>`,
  );
  if (targetX) {
    out.push(
      `<line x1="${sx(targetX.value)}" y1="${m.top}" x2="${sx(targetX.value)}" y2="${m.top + plotH}" stroke="#2a9d4b" stroke-dasharray="2 4"/>`,
      `<text x="${sx(targetX.value) - 4}" y="${m.top + 14}" text-anchor="end" fill="#2a9d4b">${escape(targetX.label)}</text>`,
    );
  }
  for (const t of targetY) {
    out.push(
      `<line x1="${m.left}" y1="${sy(t.value)}" x2="${m.left + plotW}" y2="${sy(t.value)}" stroke="#2a9d4b" stroke-dasharray="2 4"/>`,
      `<text x="${m.left + plotW - 4}" y="${sy(t.value) - 4}" text-anchor="end" fill="#2a9d4b">${escape(t.label)}</text>`,
    );
  }
  for (const s of series) {
    const path = s.points.map(
      (p, i) => `${i === 0 ? 'M' : 'L'}${sx(p.x).toFixed(1)},${sy(p.y).toFixed(1)}`,
    );
    out.push(
      `<path d="${path.join(' ')}" fill="none" stroke="${s.color}" stroke-width="2"${s.dashed ? ' stroke-dasharray="6 4"' : ''}/>`,
    );
    for (const p of s.points) {
      out.push(
        `<circle cx="${sx(p.x).toFixed(1)}" cy="${sy(p.y).toFixed(1)}" r="4" fill="${s.dashed ? '#ffffff' : s.color}" stroke="${s.color}" stroke-width="2"/>`,
      );
      if (p.label)
        out.push(
          `<text x="${(sx(p.x) + 6).toFixed(1)}" y="${(sy(p.y) - 8).toFixed(1)}" fill="${s.color}">${escape(p.label)}</text>`,
        );
    }
  }
  series.forEach((s, i) => {
    const x = m.left + (i % 2) * (plotW / 2);
    const y = m.top + plotH + 66 + Math.floor(i / 2) * 20;
    out.push(
      `<line x1="${x}" y1="${y - 4}" x2="${x + 28}" y2="${y - 4}" stroke="${s.color}" stroke-width="2"${s.dashed ? ' stroke-dasharray="6 4"' : ''}/>`,
      `<text x="${x + 36}" y="${y}">${escape(s.name)}</text>`,
    );
  });
  out.push('</svg>');
  return out.join('\n');
}
