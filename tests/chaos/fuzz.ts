import { orderRequest } from '../e2e/platform.js';
import { pick } from './profile.js';

/**
 * Malformed requests for order-service, each from a seeded generator so a failing one can be
 * replayed: broken and fuzzed JSON, wrong types, prototype-pollution keys, deep nesting, bodies
 * over the 1 MiB limit, wrong content types and encodings, bad bytes, odd routes and headers.
 * None of them is a valid order.
 */
export interface FuzzRequest {
  readonly kind: string;
  readonly method: string;
  readonly path: string;
  readonly headers: Record<string, string>;
  readonly body?: string | Uint8Array;
}

const JSON_CT = { 'content-type': 'application/json' };
const MIB = 1024 * 1024;

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

function base(run: string): Record<string, Json> {
  return JSON.parse(JSON.stringify(orderRequest({ customerId: run }))) as Record<string, Json>;
}

/** Every path (as keys) to a value inside `value`, the root excluded. */
function paths(value: Json, prefix: (string | number)[] = []): (string | number)[][] {
  if (value === null || typeof value !== 'object') return [];
  const entries: [string | number, Json][] = Array.isArray(value)
    ? value.map((v, i) => [i, v])
    : Object.entries(value);
  return entries.flatMap(([k, v]) => [[...prefix, k], ...paths(v, [...prefix, k])]);
}

function setAt(
  root: Json,
  path: (string | number)[],
  update: (parent: Json, key: string | number) => void,
) {
  let node = root;
  for (const key of path.slice(0, -1)) node = (node as Record<string | number, Json>)[key] as Json;
  update(node, path[path.length - 1] as string | number);
}

/** A value of a different JSON type than `original` (so the mutation is never valid). */
function wrongType(random: () => number, original: Json): Json {
  const candidates: Json[] = [
    null,
    true,
    0,
    -1,
    1.5,
    1e308,
    -(2 ** 53) - 2, // beyond the safe integers
    '',
    'x'.repeat(300),
    '12',
    [],
    [1, 'a', null],
    {},
    { nested: { deeper: [] } },
  ];
  const differs = (v: Json) =>
    Array.isArray(v) !== Array.isArray(original) ||
    typeof v !== typeof original ||
    (v === null) !== (original === null) ||
    (typeof v === 'number' &&
      typeof original === 'number' &&
      Number.isInteger(v) !== Number.isInteger(original));
  return pick(random, candidates.filter(differs));
}

function nested(depth: number, object: boolean): string {
  return object
    ? `${'{"a":'.repeat(depth)}1${'}'.repeat(depth)}`
    : `${'['.repeat(depth)}${']'.repeat(depth)}`;
}

const GENERATORS: Record<string, (random: () => number, run: string) => FuzzRequest> = {
  'truncated JSON': (random, run) => {
    const text = JSON.stringify(base(run));
    return post(text.slice(0, 1 + Math.floor(random() * (text.length - 2))));
  },
  'garbled JSON': (random, run) => {
    const chars = [...JSON.stringify(base(run))];
    const noise = [
      '{',
      '}',
      '[',
      ']',
      ':',
      ',',
      '"',
      '\\',
      '\u0000',
      '\u00ff',
      'ü',
      '\ud83d',
      'NaN',
    ];
    for (let n = 1 + Math.floor(random() * 4); n > 0; n -= 1)
      chars[Math.floor(random() * chars.length)] = pick(random, noise);
    const text = chars.join('');
    // Noise inside a string value can leave valid JSON (a valid order): break it then.
    return post(parses(text) ? `${text},` : text);
  },
  'wrong type': (random, run) => {
    const body = base(run);
    const path = pick(random, paths(body));
    setAt(body, path, (parent, key) => {
      const p = parent as Record<string | number, Json>;
      p[key] = wrongType(random, p[key] as Json);
    });
    return post(JSON.stringify(body));
  },
  'missing field': (random, run) => {
    const body = base(run);
    const objects = paths(body).filter((p) => {
      let node: Json = body;
      for (const k of p.slice(0, -1)) node = (node as Record<string | number, Json>)[k] as Json;
      return !Array.isArray(node) && p[p.length - 1] !== 'line2';
    });
    setAt(body, pick(random, objects), (parent, key) => {
      delete (parent as Record<string | number, Json>)[key];
    });
    return post(JSON.stringify(body));
  },
  'prototype keys': (random, run) => {
    const text = JSON.stringify(base(run));
    const poison = pick(random, [
      '"__proto__":{"isAdmin":true},',
      '"constructor":{"prototype":{"isAdmin":true}},',
      '"__proto__":null,',
      '"prototype":{"polluted":1},',
    ]);
    // At the top level or inside the address object.
    const at =
      random() < 0.5 ? 1 : text.indexOf('"shippingAddress":{') + '"shippingAddress":{'.length;
    return post(`${text.slice(0, at)}${poison}${text.slice(at)}`);
  },
  'deep nesting': (random, run) => {
    const depth = pick(random, [1_000, 10_000, 100_000, 400_000]);
    const object = random() < 0.5;
    if (random() < 0.5) return post(nested(depth, object));
    const text = JSON.stringify({ ...base(run), items: '@' });
    return post(text.replace('"@"', nested(Math.min(depth, 100_000), object)));
  },
  'body over the limit': (random, run) => {
    const variant = Math.floor(random() * 3);
    if (variant === 0)
      return post(JSON.stringify({ ...base(run), customerId: 'x'.repeat(2 * MIB) }));
    if (variant === 1) return post(`${' '.repeat(2 * MIB)}{}`);
    return post(`[${'1,'.repeat(MIB)}1]`);
  },
  'wrong content type': (random, run) => {
    const type = pick(random, [
      'text/plain',
      'application/xml',
      'application/x-www-form-urlencoded',
      'multipart/form-data; boundary=xyz',
      'application/octet-stream',
      'application/vnd.api+json',
      'application/json-patch+json',
      'text/json',
      'image/png',
      '*/*',
    ]);
    return {
      kind: '',
      method: 'POST',
      path: '/orders',
      headers: { 'content-type': type },
      body: JSON.stringify(base(run)),
    };
  },
  'bad encoding': (random, run) => {
    const text = JSON.stringify(base(run));
    const variant = Math.floor(random() * 4);
    if (variant === 0)
      // Invalid UTF-8 (a lone continuation byte and an overlong NUL) inside a string value.
      return post(
        Buffer.concat([
          Buffer.from(text.slice(0, 16)),
          Buffer.from([0x80, 0xc0, 0x80, 0xff]),
          Buffer.from(text.slice(16)),
        ]),
      );
    if (variant === 1)
      return {
        ...post(Buffer.from(text, 'utf16le')),
        headers: { 'content-type': 'application/json; charset=utf-16le' },
      };
    if (variant === 2)
      return { ...post(text), headers: { ...JSON_CT, 'content-encoding': 'gzip' } };
    return post(text.replace('"Ada"', '"A\\u0000d\\ud800a"'));
  },
  'JSON that is not an object': (random) =>
    post(
      pick(random, [
        '',
        'null',
        'true',
        '0',
        '"order"',
        '[]',
        '[{}]',
        '{}',
        '\ufeff{}',
        '{} {}',
        '{"a":1}garbage',
      ]),
    ),
  'odd numbers': (random, run) => {
    const text = JSON.stringify(base(run));
    const number = pick(random, [
      '1e309',
      '-0',
      '1.0000000000000002',
      '9007199254740993',
      '1e-400',
      '0x10',
      '-1',
      '10001',
      '01',
    ]);
    return post(text.replace(/"quantity":\d+/, `"quantity":${number}`));
  },
  'odd route or method': (random) => {
    const garbage = pick(random, [
      '%00',
      '%ZZ',
      'x'.repeat(10_000),
      '..%2F..%2Fetc%2Fpasswd',
      '%F0%9F%98%80',
      'a%2Fb',
      ' ',
    ]);
    return pick(random, [
      { kind: '', method: 'GET', path: `/orders/${garbage}`, headers: {} },
      { kind: '', method: 'GET', path: `/orders/${garbage}/history?asOf=${garbage}`, headers: {} },
      {
        kind: '',
        method: 'GET',
        path: `/orders?limit=${garbage}&cursor=${garbage}&status=${garbage}`,
        headers: {},
      },
      { kind: '', method: 'GET', path: `/orders?limit=-1&limit=2&customerId[]=x`, headers: {} },
      { kind: '', method: 'PUT', path: '/orders', headers: JSON_CT, body: '{}' },
      { kind: '', method: 'DELETE', path: `/orders/${garbage}`, headers: {} },
      { kind: '', method: 'PATCH', path: '/orders/x', headers: JSON_CT, body: '{}' },
      { kind: '', method: 'POST', path: `/orders/${garbage}`, headers: JSON_CT, body: '{}' },
    ]);
  },
  // Well-formed JSON that only the checks past the schema refuse (place-order-input.ts).
  'unusable text': (random, run) => {
    const body = base(run);
    const address = body.shippingAddress as Record<string, Json>;
    const [field, value] = pick(random, [
      ['country', 'XX'],
      ['country', 'fr'],
      ['country', 'ZZ'],
      ['name', '    '],
      ['name', '\u200b\u200c\u2060'],
      ['name', '\u3164'],
      ['line1', '1 Main St\u0007'],
      ['city', '\u001b[31mParis'],
      ['postalCode', '75\n001'],
      ['line2', '\u0000'],
    ] as const);
    address[field] = value;
    return post(JSON.stringify(body));
  },
  // A valid order with credentials that must not pass: each answered 401 before the body counts.
  'bad credentials': (random, run) => {
    const none = Buffer.from('{"alg":"none","typ":"JWT"}').toString('base64url');
    const claims = Buffer.from(
      JSON.stringify({ sub: run, roles: ['admin'], exp: 4_102_444_800 }),
    ).toString('base64url');
    const authorization = pick(random, [
      '',
      'Bearer',
      'Bearer ',
      'Bearer abc.def.ghi',
      `Bearer ${none}.${claims}.`,
      `Bearer ${'a'.repeat(8_000)}`,
      'Basic YWRtaW46YWRtaW4=',
      'Bearer two words',
    ]);
    return { ...post(JSON.stringify(base(run))), headers: { ...JSON_CT, authorization } };
  },
  'odd headers': (random, run) => {
    const key = pick(random, ['', ' ', 'k'.repeat(300), 'ü-latin1-ÿ', 'a\tb']);
    const body = random() < 0.5 ? JSON.stringify({ ...base(run), extra: 1 }) : '{';
    return {
      ...post(body),
      headers: { ...JSON_CT, 'idempotency-key': key, 'x-correlation-id': 'x'.repeat(5_000) },
    };
  },
};

function parses(text: string): boolean {
  try {
    JSON.parse(text);
    return true;
  } catch {
    return false;
  }
}

function post(body: string | Uint8Array): FuzzRequest {
  return { kind: '', method: 'POST', path: '/orders', headers: JSON_CT, body };
}

export const FUZZ_KINDS = Object.keys(GENERATORS);

/** The i-th malformed request of a run: kinds in turn, each varied by the seeded `random`. */
export function malformedRequest(random: () => number, run: string, i: number): FuzzRequest {
  const kind = FUZZ_KINDS[i % FUZZ_KINDS.length] ?? 'truncated JSON';
  const generate = GENERATORS[kind];
  if (!generate) throw new Error(`no generator ${kind}`);
  return { ...generate(random, run), kind };
}
