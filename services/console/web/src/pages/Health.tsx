import { getJson, when } from '../api.js';
import { usePoll } from '../use-poll.js';
import { RateChart, type RatePoint } from './RateChart.js';

/** Each service's readiness and metrics, consumer lag, DLQ depth, and recent throughput. */
interface Figures {
  outboxBacklog: number | null;
  outboxOldestAgeSeconds: number | null;
  consumed: number;
  deadLettered: number;
}

interface HealthView {
  at: string;
  services: {
    service: string;
    url: string;
    ready: boolean;
    checks: Record<string, string>;
    metrics: Figures | null;
    metricsError: string | null;
  }[];
  lag: { group: string; lag: number }[] | null;
  dlq: { topic: string; count: number }[] | null;
  kafkaError: string | null;
  rates: RatePoint[];
}

const num = (n: number | null | undefined) =>
  n === null || n === undefined ? '—' : String(Math.round(n * 100) / 100);

export function Health() {
  const health = usePoll(() => getJson<HealthView>('/api/health'), 3_000);
  const h = health.value;
  return (
    <section aria-labelledby="health-title">
      <h1 id="health-title">Health</h1>
      {health.error && <p role="alert">Could not load health: {health.error}</p>}
      {h && (
        <>
          <p>As of {when(h.at)}</p>
          <h2>Services</h2>
          <table data-testid="services">
            <thead>
              <tr>
                <th scope="col">Service</th>
                <th scope="col">Ready</th>
                <th scope="col">Outbox backlog</th>
                <th scope="col">Oldest outbox row (s)</th>
                <th scope="col">Consumed</th>
                <th scope="col">Dead-lettered</th>
              </tr>
            </thead>
            <tbody>
              {h.services.map((s) => (
                <tr key={s.service} data-service={s.service}>
                  <th scope="row">{s.service}</th>
                  <td class={s.ready ? 'ok-text' : 'bad-text'}>
                    {s.ready
                      ? 'ready'
                      : `not ready: ${Object.entries(s.checks)
                          .filter(([, v]) => v !== 'ok')
                          .map(([k, v]) => `${k}: ${v}`)
                          .join('; ')}`}
                  </td>
                  <td data-testid="backlog">{num(s.metrics?.outboxBacklog)}</td>
                  <td data-testid="backlog-age">{num(s.metrics?.outboxOldestAgeSeconds)}</td>
                  <td>{num(s.metrics?.consumed)}</td>
                  <td>{num(s.metrics?.deadLettered)}</td>
                </tr>
              ))}
            </tbody>
          </table>
          {h.kafkaError && <p role="alert">Kafka: {h.kafkaError}</p>}
          <div class="columns">
            <div>
              <h2>Consumer lag</h2>
              <table data-testid="lag">
                <thead>
                  <tr>
                    <th scope="col">Group</th>
                    <th scope="col">Records behind</th>
                  </tr>
                </thead>
                <tbody>
                  {(h.lag ?? []).map((g) => (
                    <tr key={g.group} data-group={g.group}>
                      <th scope="row">{g.group}</th>
                      <td>{g.lag}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
            <div>
              <h2>Dead-letter topics</h2>
              <table data-testid="dlq-depths">
                <thead>
                  <tr>
                    <th scope="col">Topic</th>
                    <th scope="col">Records</th>
                  </tr>
                </thead>
                <tbody>
                  {(h.dlq ?? []).map((d) => (
                    <tr key={d.topic} data-topic={d.topic}>
                      <th scope="row">{d.topic}</th>
                      <td>{d.count}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          </div>
          <h2>Throughput and handler latency</h2>
          <RateChart points={h.rates} />
        </>
      )}
    </section>
  );
}
