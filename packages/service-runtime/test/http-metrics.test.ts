import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { createLogger, metricsText } from '@orderflow/telemetry';
import { buildHttpApp, type HttpApp } from '../src/index.js';
import { publicRoute, testSecurity } from './support/security.js';

let app: HttpApp;

beforeAll(async () => {
  app = await buildHttpApp({
    security: (await testSecurity()).security,
    service: 'metrics-test',
    logger: createLogger({ service: 'metrics-test', level: 'silent' }),
    readiness: () => Promise.resolve({}),
  });
  app.get('/widgets/:id', publicRoute, () => Promise.resolve({ ok: true }));
  app.get('/broken', publicRoute, () => Promise.reject(new Error('boom')));
  await app.ready();
});

afterAll(() => app.close());

const countOf = (text: string, labels: string): number => {
  const line = text
    .split('\n')
    .find((l) => l.startsWith(`orderflow_http_request_duration_seconds_count{${labels}}`));
  return line === undefined ? 0 : Number(line.split(' ').pop());
};

describe('HTTP RED metrics', () => {
  it('counts each answer by route template and status, never by raw URL, and skips probes', async () => {
    await app.inject({ method: 'GET', url: '/widgets/1' });
    await app.inject({ method: 'GET', url: '/widgets/2' });
    await app.inject({ method: 'GET', url: '/broken' });
    await app.inject({ method: 'GET', url: '/no/such/path/abc123' });
    await app.inject({ method: 'GET', url: '/health/live' });
    await app.inject({ method: 'GET', url: '/metrics' });

    const text = await metricsText();
    expect(countOf(text, 'method="GET",route="/widgets/:id",status_code="200"')).toBe(2);
    expect(countOf(text, 'method="GET",route="/broken",status_code="500"')).toBe(1);
    expect(countOf(text, 'method="GET",route="unmatched",status_code="404"')).toBe(1);
    expect(text).not.toContain('abc123');
    expect(text).not.toMatch(/route="\/(health\/live|metrics)"/);
  });
});
