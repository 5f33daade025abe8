import { httpRequestDuration } from '@orderflow/telemetry';
import type { HttpApp } from './http-app.js';

/** Scrapes and probes every few seconds would drown the routes' own rates. */
const UNMEASURED = new Set(['/metrics', '/health/live', '/health/ready']);

/**
 * RED metrics for every route: one `orderflow_http_request_duration_seconds` observation per answered
 * request, labelled with the route template. A request no route matched is `route="unmatched"`,
 * so probing random URLs cannot grow the series count.
 */
export function measureHttpRequests(app: HttpApp): void {
  const duration = httpRequestDuration();
  app.addHook('onResponse', (request, reply, done) => {
    const route = request.routeOptions.url ?? 'unmatched';
    if (!UNMEASURED.has(route)) {
      duration.observe(
        { method: request.method, route, status_code: String(reply.statusCode) },
        reply.elapsedTime / 1000,
      );
    }
    done();
  });
}
