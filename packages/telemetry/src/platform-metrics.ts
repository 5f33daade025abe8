import { Gauge, Histogram } from 'prom-client';
import { METRIC_PREFIX, metricsRegistry } from './metrics-registry.js';

/**
 * The platform's metrics beyond messaging: HTTP RED per route, consumer lag, saga counts. Like
 * the messaging set they are declared once here, so every service exports the same names; the
 * gauges are computed when Prometheus scrapes, from sources the services register.
 */

// From a cached read to a slow SSE handshake; longer requests land in +Inf.
const HTTP_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

let httpDuration: Histogram<'method' | 'route' | 'status_code'> | undefined;

/**
 * HTTP requests by method, route template and status: its `_count` is the rate and the errors,
 * its buckets the duration. `route` is the template (`/orders/:orderId`), never the raw URL.
 */
export function httpRequestDuration(): Histogram<'method' | 'route' | 'status_code'> {
  httpDuration ??= new Histogram({
    name: `${METRIC_PREFIX}http_request_duration_seconds`,
    help: 'HTTP requests served, by method, route template and status code.',
    labelNames: ['method', 'route', 'status_code'] as const,
    buckets: HTTP_BUCKETS,
    registers: [metricsRegistry()],
  });
  return httpDuration;
}

/** One partition's lag: the log-end offset minus the group's committed offset. */
export interface ConsumerLagRow {
  readonly group: string;
  readonly topic: string;
  readonly partition: number;
  readonly lag: number;
}

/** The saga table at one moment: sagas per status, and sagas given up on by step deadline per step. */
export interface SagaCounts {
  readonly byStatus: Readonly<Record<string, number>>;
  readonly parked: number;
  readonly stepTimeoutsByStep: Readonly<Record<string, number>>;
}

type Source<T> = () => Promise<T>;

/**
 * A set of sources read at every scrape. A source that fails (broker or database away) adds
 * nothing to that scrape, so a stale value is never reported as current; the gauge is reset first.
 */
class ScrapeSources<T> {
  private readonly sources = new Set<Source<T>>();

  add(source: Source<T>): () => void {
    this.sources.add(source);
    return () => this.sources.delete(source);
  }

  async read(): Promise<T[]> {
    const results = await Promise.allSettled([...this.sources].map((source) => source()));
    return results.flatMap((r) => (r.status === 'fulfilled' ? [r.value] : []));
  }
}

let lagSources: ScrapeSources<readonly ConsumerLagRow[]> | undefined;

/** Reports `orderflow_consumer_lag{group,topic,partition}` from `source` at every scrape until the returned stop. */
export function observeConsumerLag(source: Source<readonly ConsumerLagRow[]>): () => void {
  if (lagSources === undefined) {
    const sources = new ScrapeSources<readonly ConsumerLagRow[]>();
    lagSources = sources;
    new Gauge({
      name: `${METRIC_PREFIX}consumer_lag`,
      help: 'Records not yet consumed: log-end offset minus the consumer group committed offset.',
      labelNames: ['group', 'topic', 'partition'] as const,
      registers: [metricsRegistry()],
      async collect() {
        this.reset();
        for (const rows of await sources.read())
          for (const { group, topic, partition, lag } of rows)
            this.set({ group, topic, partition: String(partition) }, lag);
      },
    });
  }
  return lagSources.add(source);
}

let sagaSources: ScrapeSources<SagaCounts> | undefined;

/**
 * Reports `orderflow_sagas{status}`, `orderflow_sagas_parked` and `orderflow_saga_step_timeouts{step}` (sagas whose step was
 * given up on at its deadline, ever: an alert looks at its growth) from `source` at every scrape.
 */
export function observeSagas(source: Source<SagaCounts>): () => void {
  if (sagaSources === undefined) {
    const sources = new ScrapeSources<SagaCounts>();
    sagaSources = sources;
    const registers = [metricsRegistry()];
    // One read per scrape feeds all three gauges: the first collected reads, the others reuse it.
    let latest: Promise<SagaCounts[]> | undefined;
    const read = () =>
      (latest ??= sources.read().finally(() => setImmediate(() => (latest = undefined))));
    new Gauge({
      name: `${METRIC_PREFIX}sagas`,
      help: 'Sagas in the saga table, by status.',
      labelNames: ['status'] as const,
      registers,
      async collect() {
        this.reset();
        for (const counts of await read())
          for (const [status, n] of Object.entries(counts.byStatus)) this.set({ status }, n);
      },
    });
    new Gauge({
      name: `${METRIC_PREFIX}sagas_parked`,
      help: 'Sagas parked for an operator (FAILED_NEEDS_ATTENTION): a compensation could not finish.',
      registers,
      async collect() {
        this.reset();
        for (const counts of await read()) this.set(counts.parked);
      },
    });
    new Gauge({
      name: `${METRIC_PREFIX}saga_step_timeouts`,
      help: 'Sagas whose step was given up on at its deadline (STEP_TIMEOUT), by step.',
      labelNames: ['step'] as const,
      registers,
      async collect() {
        this.reset();
        for (const counts of await read())
          for (const [step, n] of Object.entries(counts.stepTimeoutsByStep)) this.set({ step }, n);
      },
    });
  }
  return sagaSources.add(source);
}
