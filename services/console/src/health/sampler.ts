import { SERVICE_NAMES, type ServiceName } from '@orderflow/contracts';
import type { Logger } from '@orderflow/telemetry';
import type { Upstreams } from '../upstream.js';
import {
  metricFigures,
  ratesOf,
  type MetricFigures,
  type RatePoint,
  type Totals,
} from './metrics.js';

/**
 * Scrapes every service's /metrics on a timer and keeps the last N summed handler totals, so the
 * health page can chart throughput and handler latency over the last minutes without a
 * Prometheus server. Nothing is kept across restarts of the console.
 */
export async function scrape(upstreams: Upstreams, service: ServiceName): Promise<MetricFigures> {
  const response = await upstreams.fetch(service, '/metrics', {
    headers: { accept: 'text/plain' },
  });
  if (!response.ok) throw new Error(`${service} /metrics answered ${response.status}`);
  return metricFigures(await response.text());
}

export class HealthSampler {
  private readonly samples: Totals[] = [];
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;

  constructor(
    private readonly upstreams: Upstreams,
    private readonly options: {
      readonly intervalMs: number;
      readonly kept: number;
      readonly logger: Logger;
    },
  ) {}

  start(): void {
    if (this.timer) return;
    const tick = () => {
      this.running ??= this.sample().finally(() => {
        this.running = undefined;
      });
    };
    tick();
    this.timer = setInterval(tick, this.options.intervalMs);
  }

  async stop(): Promise<void> {
    clearInterval(this.timer);
    this.timer = undefined;
    await this.running;
  }

  rates(): RatePoint[] {
    return ratesOf(this.samples);
  }

  /** One sample: only when every service answered, or the sum would dip and fake a restart. */
  async sample(now: () => number = Date.now): Promise<void> {
    try {
      const figures = await Promise.all(SERVICE_NAMES.map((s) => scrape(this.upstreams, s)));
      this.samples.push({
        at: now(),
        handlerSeconds: figures.reduce((t, f) => t + f.handlerSeconds, 0),
        handlerCount: figures.reduce((t, f) => t + f.handlerCount, 0),
      });
      if (this.samples.length > this.options.kept) this.samples.shift();
    } catch (error) {
      this.options.logger.debug({ err: error }, 'health sample skipped: a service did not answer');
    }
  }
}
