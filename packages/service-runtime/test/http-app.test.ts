import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { Writable } from 'node:stream';
import { createLogger } from '@orderflow/telemetry';
import { buildHttpApp, HttpProblem, type HttpApp, type ReadinessChecks } from '../src/index.js';
import { publicRoute, testSecurity } from './support/security.js';

const lines: Record<string, unknown>[] = [];
const sink = new Writable({
  write(chunk: Buffer, _encoding, done) {
    lines.push(JSON.parse(chunk.toString()) as Record<string, unknown>);
    done();
  },
});
const logger = createLogger({ service: 'runtime-test', level: 'info' }, sink);

let checks: ReadinessChecks = { db: 'ok', kafka: 'ok' };
let app: HttpApp;

beforeAll(async () => {
  app = await buildHttpApp({
    security: (await testSecurity()).security,
    service: 'runtime-test',
    logger,
    readiness: () => Promise.resolve(checks),
    bodyLimitBytes: 1024,
  });
  app.put(
    '/things/:id',
    {
      ...publicRoute,
      schema: {
        params: { type: 'object', properties: { id: { type: 'string', pattern: '^T-' } } },
        body: {
          type: 'object',
          additionalProperties: false,
          required: ['count'],
          properties: { count: { type: 'integer', minimum: 0 }, name: { type: 'string' } },
        },
      },
    },
    (request) =>
      Promise.resolve({ id: (request.params as { id: string }).id, ...(request.body as object) }),
  );
  app.get('/boom', publicRoute, () =>
    Promise.reject(new Error('secret internals at /srv/db.ts:42')),
  );
  app.get('/gone', publicRoute, () =>
    Promise.reject(
      new HttpProblem({ status: 404, code: 'thing-not-found', detail: 'No thing T-9' }),
    ),
  );
  await app.ready();
});

afterAll(async () => {
  await app.close();
});

function problemOf(response: { headers: Record<string, unknown>; json: () => unknown }) {
  expect(response.headers['content-type']).toMatch(/^application\/problem\+json/);
  return response.json() as Record<string, unknown>;
}

describe('problem details', () => {
  it('answers an unknown route with a 404 problem', async () => {
    const response = await app.inject({ method: 'GET', url: '/nope?x=1' });
    expect(response.statusCode).toBe(404);
    expect(problemOf(response)).toMatchObject({
      type: 'about:blank',
      title: 'Not Found',
      status: 404,
      detail: 'No route GET /nope',
      instance: '/nope?x=1',
    });
  });

  it('answers a wrong method on an existing path with 405, an Allow header and a problem', async () => {
    const response = await app.inject({ method: 'DELETE', url: '/things/T-1?x=1' });
    expect(response.statusCode).toBe(405);
    expect(response.headers.allow).toBe('PUT');
    expect(problemOf(response)).toMatchObject({
      type: 'about:blank',
      title: 'Method Not Allowed',
      status: 405,
      detail: 'DELETE is not allowed on /things/T-1; use PUT',
      instance: '/things/T-1?x=1',
      allow: ['PUT'],
    });
  });

  it('lists HEAD beside GET in Allow, as fastify serves both', async () => {
    const response = await app.inject({ method: 'POST', url: '/health/live', payload: {} });
    expect(response.statusCode).toBe(405);
    expect(response.headers.allow?.toString().split(', ').sort()).toEqual(['GET', 'HEAD']);
    expect(problemOf(response).status).toBe(405);
  });

  it('names every failing path of an invalid body with 400', async () => {
    const response = await app.inject({
      method: 'PUT',
      url: '/things/T-1',
      payload: { count: -1, name: 7, extra: true },
    });
    expect(response.statusCode).toBe(400);
    const body = problemOf(response);
    expect(body).toMatchObject({ status: 400, type: 'urn:orderflow:problem:validation-error' });
    const paths = (body.errors as { path: string }[]).map((e) => e.path).sort();
    expect(paths).toEqual(['body', 'body/count', 'body/name']);
  });

  it('rejects malformed JSON with 400, not 500', async () => {
    const response = await app.inject({
      method: 'PUT',
      url: '/things/T-1',
      headers: { 'content-type': 'application/json' },
      payload: '{"count": ',
    });
    expect(response.statusCode).toBe(400);
    expect(problemOf(response).status).toBe(400);
  });

  it('answers a URL with broken percent-encoding with a 400 problem', async () => {
    const response = await app.inject({ method: 'PUT', url: '/things/T-%ED%A0%80', payload: {} });
    expect(response.statusCode).toBe(400);
    expect(response.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(response.json()).toMatchObject({ status: 400, title: 'Bad Request' });
  });

  it('answers an unsupported media type with 415', async () => {
    const response = await app.inject({
      method: 'PUT',
      url: '/things/T-1',
      headers: { 'content-type': 'application/xml' },
      payload: '<count>1</count>',
    });
    expect(response.statusCode).toBe(415);
    expect(problemOf(response)).toMatchObject({ status: 415, title: 'Unsupported Media Type' });
  });

  it('answers text/plain with 415 too: these are JSON APIs', async () => {
    const response = await app.inject({
      method: 'PUT',
      url: '/things/T-1',
      headers: { 'content-type': 'text/plain' },
      payload: 'count=1',
    });
    expect(response.statusCode).toBe(415);
  });

  it('answers a body over the limit with 413', async () => {
    const response = await app.inject({
      method: 'PUT',
      url: '/things/T-1',
      headers: { 'content-type': 'application/json' },
      payload: JSON.stringify({ count: 1, name: 'x'.repeat(2048) }),
    });
    expect(response.statusCode).toBe(413);
    expect(problemOf(response)).toMatchObject({ status: 413, title: 'Content Too Large' });
  });

  it('renders an HttpProblem with its code as type', async () => {
    const response = await app.inject({ method: 'GET', url: '/gone' });
    expect(response.statusCode).toBe(404);
    expect(problemOf(response)).toMatchObject({
      type: 'urn:orderflow:problem:thing-not-found',
      detail: 'No thing T-9',
    });
  });

  it('hides internals of an unexpected error behind a 500 problem, and logs it', async () => {
    const response = await app.inject({ method: 'GET', url: '/boom' });
    expect(response.statusCode).toBe(500);
    const body = problemOf(response);
    expect(JSON.stringify(body)).not.toMatch(/secret|stack|db\.ts/);
    expect(body.detail).toBe('An unexpected error occurred; it has been logged.');
    expect(lines.some((l) => l.msg === 'request failed' && l.level === 'error')).toBe(true);
  });

  it('accepts a valid body', async () => {
    const response = await app.inject({ method: 'PUT', url: '/things/T-1', payload: { count: 2 } });
    expect(response.statusCode).toBe(200);
    expect(response.json()).toEqual({ id: 'T-1', count: 2 });
  });

  // Valid JSON and valid URL escapes, which the schema accepts, but which Postgres refuses: they
  // used to reach the database and come back as 500s.
  it.each([
    ['a NUL in a body string', '/things/T-1', '{"count":1,"name":"a\\u0000b"}', 'body/name'],
    [
      'an unpaired surrogate in a body string',
      '/things/T-1',
      '{"count":1,"name":"\\ud800"}',
      'body/name',
    ],
    ['a NUL in an object key', '/things/T-1', '{"count":1,"a\\u0000":1}', 'body/a\u0000'],
    ['a NUL in a path parameter', '/things/T-%00', '{"count":1}', 'params/id'],
    ['a NUL in the query string', '/things/T-1?q=%00', '{"count":1}', 'querystring/q'],
  ])('refuses %s with a 400 problem naming where', async (_case, url, payload, path) => {
    const response = await app.inject({
      method: 'PUT',
      url,
      headers: { 'content-type': 'application/json' },
      payload,
    });
    expect(response.statusCode).toBe(400);
    expect(problemOf(response)).toMatchObject({
      status: 400,
      type: 'urn:orderflow:problem:unstorable-text',
      errors: [{ path }],
    });
  });

  it('accepts characters outside the BMP (surrogate pairs)', async () => {
    const response = await app.inject({
      method: 'PUT',
      url: '/things/T-1',
      payload: { count: 1, name: 'caf\u00e9 \u{1F600}' },
    });
    expect(response.statusCode).toBe(200);
    expect(response.json()).toEqual({ id: 'T-1', count: 1, name: 'café 😀' });
  });
});

describe('correlation id', () => {
  it('echoes a well-formed x-correlation-id and logs it', async () => {
    const response = await app.inject({
      method: 'GET',
      url: '/health/live',
      headers: { 'x-correlation-id': 'corr-123' },
    });
    expect(response.headers['x-correlation-id']).toBe('corr-123');
    expect(lines.some((l) => l.correlationId === 'corr-123')).toBe(true);
  });

  it('generates one when missing or malformed', async () => {
    const response = await app.inject({
      method: 'GET',
      url: '/health/live',
      headers: { 'x-correlation-id': 'bad id\twith spaces' },
    });
    expect(response.headers['x-correlation-id']).toMatch(/^[0-9a-f-]{36}$/);
  });
});

describe('health, metrics and docs', () => {
  it('is live', async () => {
    const response = await app.inject({ method: 'GET', url: '/health/live' });
    expect(response.json()).toEqual({ status: 'ok' });
  });

  it('is ready when every check is ok', async () => {
    checks = { db: 'ok', kafka: 'ok' };
    const response = await app.inject({ method: 'GET', url: '/health/ready' });
    expect(response.statusCode).toBe(200);
    expect(response.json()).toEqual({ status: 'ok', checks });
  });

  it('answers 503 naming the failing checks', async () => {
    checks = { db: 'ok', kafka: 'connection refused' };
    const response = await app.inject({ method: 'GET', url: '/health/ready' });
    expect(response.statusCode).toBe(503);
    expect(problemOf(response)).toMatchObject({
      status: 503,
      detail: 'Not ready: kafka',
      checks: { db: 'ok', kafka: 'connection refused' },
    });
  });

  it('answers 503 when the readiness probe hangs or throws', async () => {
    const slow = await buildHttpApp({
      security: (await testSecurity()).security,
      service: 'runtime-test',
      logger,
      readiness: () => new Promise(() => undefined),
      readinessTimeoutMs: 50,
    });
    const hung = await slow.inject({ method: 'GET', url: '/health/ready' });
    expect(hung.statusCode).toBe(503);
    expect(problemOf(hung).checks).toEqual({ readiness: 'no answer within 50 ms' });
    await slow.close();

    const failing = await buildHttpApp({
      security: (await testSecurity()).security,
      service: 'runtime-test',
      logger,
      readiness: () => Promise.reject(new Error('pool closed')),
    });
    const thrown = await failing.inject({ method: 'GET', url: '/health/ready' });
    expect(thrown.statusCode).toBe(503);
    expect(problemOf(thrown).checks).toEqual({ readiness: 'pool closed' });
    await failing.close();
  });

  it('serves Prometheus text', async () => {
    const response = await app.inject({ method: 'GET', url: '/metrics' });
    expect(response.statusCode).toBe(200);
    expect(response.headers['content-type']).toMatch(/^text\/plain/);
    expect(response.body).toMatch(/process_cpu_user_seconds_total/);
  });

  it('serves an OpenAPI document listing the routes', async () => {
    const response = await app.inject({ method: 'GET', url: '/docs/json' });
    expect(response.statusCode).toBe(200);
    const doc = response.json<{ openapi: string; paths: Record<string, unknown> }>();
    expect(doc.openapi).toMatch(/^3\./);
    expect(Object.keys(doc.paths)).toEqual(
      expect.arrayContaining(['/health/ready', '/things/{id}']),
    );
  });
});
