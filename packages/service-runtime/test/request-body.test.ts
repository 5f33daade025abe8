import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { gzipSync } from 'node:zlib';
import { createLogger } from '@orderflow/telemetry';
import { buildHttpApp, type HttpApp } from '../src/index.js';
import { publicRoute, testSecurity } from './support/security.js';
import { jsonDeeperThan, MAX_JSON_DEPTH } from '../src/request-body.js';

let app: HttpApp;

beforeAll(async () => {
  app = await buildHttpApp({
    security: (await testSecurity()).security,
    service: 'runtime-test',
    logger: createLogger({ service: 'runtime-test', level: 'silent' }),
    readiness: () => Promise.resolve({}),
  });
  app.post('/echo', publicRoute, (request) => Promise.resolve(request.body));
  await app.ready();
});

afterAll(async () => {
  await app.close();
});

const post = (payload: string | Buffer, headers: Record<string, string> = {}) =>
  app.inject({
    method: 'POST',
    url: '/echo',
    headers: { 'content-type': 'application/json', ...headers },
    payload,
  });

describe('request bodies: JSON in UTF-8, no content coding', () => {
  it('accepts UTF-8 JSON, multi-byte characters included', async () => {
    const response = await post(Buffer.from(JSON.stringify({ city: 'Zürich 😀' }), 'utf8'));
    expect(response.statusCode).toBe(200);
    expect(response.json()).toEqual({ city: 'Zürich 😀' });
  });

  it.each([
    ['a lone continuation byte', [0x80]],
    ['an overlong encoding of NUL', [0xc0, 0x80]],
    ['a byte that never occurs in UTF-8', [0xff]],
    ['a truncated 3-byte sequence', [0xe2, 0x82]],
  ])(
    'refuses invalid UTF-8 (%s) with a 400 problem instead of storing U+FFFD',
    async (_case, bytes) => {
      const body = Buffer.concat([
        Buffer.from('{"city":"Z'),
        Buffer.from(bytes),
        Buffer.from('rich"}'),
      ]);
      const response = await post(body);
      expect(response.statusCode).toBe(400);
      expect(response.json()).toMatchObject({
        type: 'urn:orderflow:problem:invalid-utf8',
        status: 400,
      });
    },
  );

  it('refuses an empty body and broken JSON with 400 problems', async () => {
    expect((await post('')).json()).toMatchObject({
      status: 400,
      type: 'urn:orderflow:problem:empty-body',
    });
    expect((await post('{"a":')).json()).toMatchObject({
      status: 400,
      type: 'urn:orderflow:problem:invalid-json',
    });
  });

  it.each([
    ['__proto__', '{"__proto__":{"admin":true}}'],
    ['__proto__', '{"a":{"b":[{"__proto__":null}]}}'],
    ['constructor', '{"constructor":{"prototype":{"admin":true}}}'],
  ])(
    'refuses a %s key with a 400 problem that names it (not "invalid JSON")',
    async (key, body) => {
      const response = await post(body);
      expect(response.statusCode).toBe(400);
      const problem = response.json<{
        type: string;
        detail: string;
        errors: { property: string }[];
      }>();
      expect(problem.type).toBe('urn:orderflow:problem:forbidden-key');
      expect(problem.detail).toContain(`"${key}"`);
      expect(problem.errors[0]?.property).toBe(key);
    },
  );

  it('accepts a "constructor" or "prototype" key that cannot reach a prototype', async () => {
    const response = await post('{"constructor":"x","prototype":1}');
    expect(response.statusCode).toBe(200);
  });

  it.each(['gzip', 'deflate', 'br', 'x-unknown'])(
    'refuses a body with Content-Encoding %s (415) rather than reading it as plain JSON',
    async (coding) => {
      const body = coding === 'gzip' ? gzipSync('{"a":1}') : Buffer.from('{"a":1}');
      const response = await post(body, { 'content-encoding': coding });
      expect(response.statusCode).toBe(415);
      expect(response.json()).toMatchObject({
        type: 'urn:orderflow:problem:unsupported-content-encoding',
        status: 415,
      });
    },
  );

  it('accepts Content-Encoding: identity', async () => {
    const response = await post('{"a":1}', { 'content-encoding': 'identity' });
    expect(response.statusCode).toBe(200);
  });
});

describe('request bodies: nesting', () => {
  const nested = (depth: number) => `{"a":${'['.repeat(depth - 1)}${']'.repeat(depth - 1)}}`;

  it(`accepts ${MAX_JSON_DEPTH} levels and refuses one more without parsing it (400 too-deep)`, async () => {
    expect((await post(nested(MAX_JSON_DEPTH))).statusCode).toBe(200);
    const response = await post(nested(MAX_JSON_DEPTH + 1));
    expect(response.statusCode).toBe(400);
    expect(response.json()).toMatchObject({ type: 'urn:orderflow:problem:too-deep' });
    expect((await post('['.repeat(500_000) + ']'.repeat(500_000))).statusCode).toBe(400);
  });

  it('counts only brackets outside strings, escaped quotes included', () => {
    expect(jsonDeeperThan('{"a":"[[[[[[[[[[["}', 2)).toBe(false);
    // A string ending in an escaped backslash, and one holding an escaped quote and brackets.
    expect(jsonDeeperThan(String.raw`{"a":"\\"}`, 1)).toBe(false);
    expect(jsonDeeperThan(String.raw`{"a":"\"[[[["}`, 1)).toBe(false);
    expect(jsonDeeperThan('{"a":[{"b":[]}]}', 3)).toBe(true);
    expect(jsonDeeperThan('{"a":[{"b":[]}]}', 4)).toBe(false);
  });
});
