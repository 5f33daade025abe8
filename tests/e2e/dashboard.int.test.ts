import { readFileSync } from 'node:fs';
import { describe, expect, it } from '@jest/globals';
import { loadStackConfig, prometheusUrl } from '@orderflow/infra';
import { eventually } from '@orderflow/testkit';
import { orderRequest, placeOrder, settled } from './platform.js';

interface Dashboard {
  readonly panels: readonly {
    readonly title: string;
    readonly targets: readonly { readonly expr: string }[];
  }[];
}
interface QueryAnswer {
  readonly status: string;
  readonly error?: string;
  readonly data?: { readonly result: readonly unknown[] };
}

const dashboard = JSON.parse(
  readFileSync(new URL('../../infra/grafana/orderflow.json', import.meta.url), 'utf8'),
) as Dashboard;
const queries = dashboard.panels.flatMap((panel) =>
  panel.targets.map((target) => ({ panel: panel.title, expr: target.expr })),
);

const prometheus = prometheusUrl(loadStackConfig());
const prometheusRuns = await fetch(`${prometheus}/-/ready`, {
  signal: AbortSignal.timeout(2_000),
}).then(
  (res) => res.ok,
  () => false,
);
const withPrometheus = prometheusRuns ? it : it.skip;

async function query(expr: string): Promise<QueryAnswer> {
  const res = await fetch(`${prometheus}/api/v1/query?query=${encodeURIComponent(expr)}`);
  return (await res.json()) as QueryAnswer;
}

describe(`the Grafana dashboard against the stack's Prometheus${prometheusRuns ? '' : ` (skipped: no Prometheus at ${prometheus}; run ./dev stack up --with metrics)`}`, () => {
  withPrometheus(
    'every panel query of infra/grafana/orderflow.json is valid PromQL and has data',
    async () => {
      expect(queries.length).toBeGreaterThan(10);
      // Traffic first: request rates and handler timings exist only once something was served.
      const placed = await placeOrder(orderRequest());
      expect(placed.status).toBe(202);
      await settled(placed.body.orderId);

      const empty = await eventually(
        'every dashboard query to return data (Prometheus scrapes every 5 s)',
        async () => {
          const answers = await Promise.all(
            queries.map(async (q) => ({ ...q, answer: await query(q.expr) })),
          );
          const invalid = answers.filter((a) => a.answer.status !== 'success');
          if (invalid.length > 0) return invalid.map((a) => `${a.panel}: ${a.answer.error}`);
          const noData = answers.filter((a) => (a.answer.data?.result.length ?? 0) === 0);
          if (noData.length > 0)
            throw new Error(`no data for ${noData.map((a) => a.panel).join(', ')}`);
          return [];
        },
        { timeoutMs: 60_000, intervalMs: 2_000 },
      );
      expect(empty).toEqual([]);
    },
  );
});
