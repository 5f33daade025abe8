import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { connect } from 'node:net';
import type { AddressInfo } from 'node:net';
import { bearer, type TestAuth } from '@orderflow/testkit';
import { createLogger } from '@orderflow/telemetry';
import { buildHttpApp, principalOf, type HttpApp } from '../src/index.js';
import { testSecurity } from './support/security.js';

const logger = createLogger({ service: 'security-test', level: 'silent' });
let auth: TestAuth;
let app: HttpApp;

beforeAll(async () => {
  const setup = await testSecurity({ RATE_LIMIT_MAX: '5', HTTP_REQUEST_TIMEOUT_MS: '1000' });
  auth = setup.auth;
  app = await buildHttpApp({
    service: 'security-test',
    logger,
    readiness: () => Promise.resolve({}),
    security: setup.security,
  });
  app.get('/mine', (request) => Promise.resolve({ sub: principalOf(request).sub }));
  app.put('/admin-only', { config: { access: 'admin' } }, () => Promise.resolve({ ok: true }));
  await app.ready();
});

afterAll(async () => {
  await app.close();
});

// Requests without a valid token are limited per IP address: each gets its own, but the test of that.
let clients = 0;
const anotherAddress = () => `10.0.${Math.floor(++clients / 250)}.${clients % 250}`;

const get = (url: string, token?: string) =>
  app.inject({
    method: 'GET',
    url,
    headers: token === undefined ? {} : bearer(token),
    remoteAddress: anotherAddress(),
  });

describe('bearer tokens', () => {
  it('lets a customer token through and hands the route its subject', async () => {
    const response = await get('/mine', await auth.customer('c-1'));
    expect(response.statusCode).toBe(200);
    expect(response.json()).toEqual({ sub: 'c-1' });
  });

  it.each([
    ['no token', () => Promise.resolve(undefined), 'token-missing'],
    ['an expired token', () => auth.expired('c-1'), 'token-expired'],
    ['a token signed by another key', () => auth.wrongSignature('c-1'), 'token-invalid'],
    [
      'a token of another issuer',
      () => auth.token({ sub: 'c-1', roles: ['admin'], issuer: 'evil' }),
      'token-invalid',
    ],
    [
      'a token for another audience',
      () => auth.token({ sub: 'c-1', roles: ['admin'], audience: 'x' }),
      'token-invalid',
    ],
    ['a token that is not a JWT', () => Promise.resolve('not.a.jwt'), 'token-invalid'],
  ])('answers %s with a 401 problem and WWW-Authenticate', async (_case, token, code) => {
    const response = await get('/mine', await token());
    expect(response.statusCode).toBe(401);
    expect(response.headers['www-authenticate']).toMatch(/^Bearer realm="orderflow"/);
    expect(response.json()).toMatchObject({ type: `urn:orderflow:problem:${code}`, status: 401 });
  });

  it('refuses a token signed with alg none', async () => {
    const claims = {
      sub: 'c-1',
      roles: ['admin'],
      iss: 'urn:orderflow:local-stack',
      aud: 'orderflow',
      exp: 9e9,
    };
    const unsigned = `${Buffer.from('{"alg":"none"}').toString('base64url')}.${Buffer.from(JSON.stringify(claims)).toString('base64url')}.`;
    const response = await app.inject({
      method: 'PUT',
      url: '/admin-only',
      headers: bearer(unsigned),
      remoteAddress: anotherAddress(),
    });
    expect(response.statusCode).toBe(401);
  });

  it('answers a header that is not Bearer with 401', async () => {
    const response = await app.inject({
      method: 'GET',
      url: '/mine',
      headers: { authorization: 'Basic YWRtaW46YWRtaW4=' },
      remoteAddress: anotherAddress(),
    });
    expect(response.statusCode).toBe(401);
  });

  it('answers a token without a known role with 403', async () => {
    const response = await get('/mine', await auth.wrongRole('c-1'));
    expect(response.statusCode).toBe(403);
    expect(response.json()).toMatchObject({ type: 'urn:orderflow:problem:forbidden' });
  });

  it('keeps admin routes to the admin role', async () => {
    const put = async (token: string) =>
      (await app.inject({ method: 'PUT', url: '/admin-only', headers: bearer(token) })).statusCode;
    expect(await put(await auth.customer('c-1'))).toBe(403);
    expect(await put(await auth.admin())).toBe(200);
  });

  it('leaves health, metrics and the OpenAPI document open, and documents the bearer scheme', async () => {
    expect((await get('/health/live')).statusCode).toBe(200);
    expect((await get('/metrics')).statusCode).toBe(200);
    const docs = await get('/docs/json');
    expect(docs.statusCode).toBe(200);
    const document = docs.json<{
      components: { securitySchemes: Record<string, unknown> };
      security: unknown[];
      paths: Record<string, Record<string, { security?: unknown[] }>>;
    }>();
    expect(document.components.securitySchemes.bearerAuth).toMatchObject({
      type: 'http',
      scheme: 'bearer',
    });
    expect(document.security).toEqual([{ bearerAuth: [] }]);
    expect(document.paths['/health/live']?.get?.security).toEqual([]);
  });
});

describe('hardening', () => {
  it('sends helmet security headers, on problems too', async () => {
    const response = await get('/mine');
    expect(response.headers['x-content-type-options']).toBe('nosniff');
    expect(response.headers['strict-transport-security']).toMatch(/max-age=/);
    expect(response.headers['content-security-policy']).toMatch(/default-src 'self'/);
    expect(response.headers['x-frame-options']).toBe('SAMEORIGIN');
  });

  it('limits each client (token subject) to RATE_LIMIT_MAX requests per window, with a 429 problem', async () => {
    const token = await auth.customer('rate-limited');
    const statuses: number[] = [];
    for (let i = 0; i < 7; i += 1) statuses.push((await get('/mine', token)).statusCode);
    expect(statuses).toEqual([200, 200, 200, 200, 200, 429, 429]);
    const refused = await get('/mine', token);
    expect(refused.headers['retry-after']).toMatch(/^\d+$/);
    expect(refused.json()).toMatchObject({
      type: 'urn:orderflow:problem:rate-limited',
      status: 429,
    });
    // Another subject has its own budget.
    expect((await get('/mine', await auth.customer('someone-else'))).statusCode).toBe(200);
  });

  it('limits requests without a valid token by IP address, before answering 401', async () => {
    const statuses: number[] = [];
    for (let i = 0; i < 7; i += 1) {
      statuses.push(
        (await app.inject({ method: 'GET', url: '/mine', remoteAddress: '10.9.9.9' })).statusCode,
      );
    }
    expect(statuses).toEqual([401, 401, 401, 401, 401, 429, 429]);
  });

  it('answers a client that does not finish sending its request within the timeout with 408', async () => {
    const listening = await buildHttpApp({
      service: 'timeout-test',
      logger,
      readiness: () => Promise.resolve({}),
      security: (await testSecurity({ HTTP_REQUEST_TIMEOUT_MS: '1000' })).security,
    });
    listening.post('/slow', { config: { access: 'public' } }, () => Promise.resolve({}));
    await listening.listen({ port: 0, host: '127.0.0.1' });
    try {
      const { port } = listening.server.address() as AddressInfo;
      const started = Date.now();
      const answer = await new Promise<string>((resolve, reject) => {
        const socket = connect(port, '127.0.0.1', () => {
          socket.write(
            'POST /slow HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{"a"',
          );
        });
        let text = '';
        socket.on('data', (chunk: Buffer) => (text += chunk.toString()));
        socket.on('close', () => resolve(text));
        socket.on('error', reject);
        setTimeout(() => reject(new Error('no answer within 10 s')), 10_000).unref();
      });
      expect(answer).toMatch(/^HTTP\/1\.1 408/);
      expect(Date.now() - started).toBeLessThan(5_000);
    } finally {
      await listening.close();
    }
  });
});
