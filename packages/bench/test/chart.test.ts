import { describe, expect, it } from '@jest/globals';
import { chartSeries, latencyThroughputSvg, logTicks, niceStep } from '../src/report/chart.js';
import { svgToPng } from '../src/report/write.js';
import { runRecord } from './fixtures.js';

describe('axis ticks', () => {
  it('steps the linear axis in round numbers', () => {
    expect(niceStep(150)).toBe(25);
    expect(niceStep(12)).toBe(2);
    expect(niceStep(1)).toBe(0.2);
  });

  it('marks 1-2-5 per decade on the log axis', () => {
    expect(logTicks(1, 1000)).toEqual([1, 2, 5, 10, 20, 50, 100, 200, 500, 1000]);
  });
});

describe('the latency vs throughput chart', () => {
  const series = chartSeries(runRecord());

  it('has p50 and p99 for the project and the chain, a point per rate', () => {
    expect(series.map((s) => s.name)).toEqual([
      'project p50 (placed → final)',
      'project p99',
      'raw kafkajs chain p50 (10 hops, no DB)',
      'raw kafkajs chain p99',
    ]);
    expect(series[0]?.points).toEqual([
      { x: 9.8, y: 40, label: '10/s' },
      { x: 29.4, y: 60, label: '30/s' },
    ]);
  });

  it('draws every series and escapes its text', () => {
    const svg = latencyThroughputSvg(series, {
      title: 'p50 <&> p99',
      targets: { x: { value: 100, label: 'target' }, y: [{ value: 50, label: 'p50 target' }] },
    });
    expect(svg.startsWith('<svg')).toBe(true);
    expect(svg).toContain('p50 &lt;&amp;&gt; p99');
    expect(svg.match(/<path /g)).toHaveLength(4);
    expect(svg.match(/<circle /g)).toHaveLength(8);
  });

  it('rasterizes to a PNG', () => {
    const png = svgToPng(latencyThroughputSvg(series, { title: 't' }), 480);
    expect(png.subarray(1, 4).toString('ascii')).toBe('PNG');
    expect(png.readUInt32BE(16)).toBe(480);
  });
});
