import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { Resvg } from '@resvg/resvg-js';
import { REPO_ROOT } from '../paths.js';
import type { RunRecord } from '../results.js';
import { chartSeries, latencyThroughputSvg } from './chart.js';
import { markdownReport } from './markdown.js';

/** Writes one run to out/bench/platform-<time>/ (ignored by git): JSON, markdown, SVG and PNG. */
export interface Written {
  readonly dir: string;
  readonly files: readonly string[];
}

export function svgToPng(svg: string, width: number): Buffer {
  const resvg = new Resvg(svg, {
    fitTo: { mode: 'width', value: width },
    font: { loadSystemFonts: true, defaultFontFamily: 'DejaVu Sans' },
  });
  return resvg.render().asPng();
}

export async function writeRun(record: RunRecord, outRoot?: string): Promise<Written> {
  const stamp = record.startedAt.replaceAll(':', '-').replace(/\.\d+Z$/, 'Z');
  const dir = path.join(outRoot ?? path.join(REPO_ROOT, 'out', 'bench'), `platform-${stamp}`);
  await mkdir(dir, { recursive: true });
  const files: string[] = [];
  const put = async (name: string, data: string | Buffer) => {
    await writeFile(path.join(dir, name), data);
    files.push(path.join(dir, name));
  };
  await put('results.json', `${JSON.stringify(record, null, 2)}\n`);
  const series = chartSeries(record);
  let chart: string | undefined;
  if (series.length > 0) {
    const svg = latencyThroughputSvg(series, {
      title: `Latency vs throughput, ${record.startedAt.slice(0, 16).replace('T', ' ')} UTC`,
      targets: {
        x: { value: 100, label: 'target ≥ 100 orders/s' },
        y: [
          { value: 50, label: 'target p50 ≤ 50 ms at 30/s' },
          { value: 200, label: 'target p99 ≤ 200 ms at 30/s' },
        ],
      },
    });
    await put('latency-throughput.svg', svg);
    chart = 'latency-throughput.png';
    await put(chart, svgToPng(svg, 1440));
  }
  await put('report.md', markdownReport(record, chart));
  return { dir, files };
}
