import type { Kafka } from 'kafkajs';
import { SERVICE_NAMES } from '@orderflow/contracts';
import type { HttpApp } from '@orderflow/service-runtime';
import { consumerLag } from '../health/lag.js';
import { scrape, type HealthSampler } from '../health/sampler.js';
import type { Upstreams } from '../upstream.js';
import { dlqDepths } from './dlq.js';

/**
 * HTTP entry point for the health page: each service's readiness and its /metrics figures read
 * now, consumer lag and DLQ depth from the broker, and the sampled throughput and latency.
 */
const reason = (error: unknown) => (error instanceof Error ? error.message : String(error));

async function settle<T>(
  work: Promise<T>,
): Promise<{ ok: true; value: T } | { ok: false; error: string }> {
  try {
    return { ok: true, value: await work };
  } catch (error) {
    return { ok: false, error: reason(error) };
  }
}

export function healthRoutes(
  app: HttpApp,
  deps: { upstreams: Upstreams; kafka: Kafka; sampler: HealthSampler },
): void {
  app.get('/api/health', { config: { access: 'public' } }, async () => {
    const services = Promise.all(
      SERVICE_NAMES.map(async (service) => {
        const [ready, metrics] = await Promise.all([
          settle(
            deps.upstreams.call<{ checks?: Record<string, string> }>(service, '/health/ready'),
          ),
          settle(scrape(deps.upstreams, service)),
        ]);
        return {
          service,
          url: deps.upstreams.urls[service],
          ready: ready.ok && ready.value.status === 200,
          checks: ready.ok ? (ready.value.body.checks ?? {}) : { http: ready.error },
          metrics: metrics.ok ? metrics.value : null,
          metricsError: metrics.ok ? null : metrics.error,
        };
      }),
    );
    const [serviceRows, lag, dlq] = await Promise.all([
      services,
      settle(consumerLag(deps.kafka)),
      settle(dlqDepths(deps.kafka)),
    ]);
    return {
      at: new Date().toISOString(),
      services: serviceRows,
      lag: lag.ok ? lag.value : null,
      dlq: dlq.ok ? dlq.value : null,
      kafkaError:
        lag.ok && dlq.ok
          ? null
          : [lag, dlq]
              .map((r) => (r.ok ? '' : r.error))
              .join(' ')
              .trim(),
      rates: deps.sampler.rates(),
    };
  });
}
