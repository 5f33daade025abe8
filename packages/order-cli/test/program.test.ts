import { afterEach, describe, expect, it } from '@jest/globals';
import {
  closedPort,
  fakeOrderService,
  json,
  ORDER_ID,
  orderResource,
  type FakeService,
  type Respond,
} from './support/fake-order-service.js';
import { runCli } from './support/run-cli.js';

/** The commands end to end against a stand-in order-service: arguments → request → output, exit code. */
let service: FakeService | undefined;
afterEach(async () => {
  await service?.close();
  service = undefined;
});

async function serve(respond: Respond): Promise<FakeService> {
  service = await fakeOrderService(respond);
  return service;
}

const PLACE = [
  'place',
  '--item',
  'USB-C-CABLE:2',
  '--token',
  'tok_approve',
  '--customer',
  'c-1',
  '--country',
  'FR',
];

describe('place', () => {
  it('POSTs the order built from the flags and prints the id and Location', async () => {
    const svc = await serve((_req, res) => {
      res.setHeader('location', `/orders/${ORDER_ID}`);
      json(res, 202, orderResource({ status: 'PENDING' }));
    });
    const result = await runCli([
      ...PLACE,
      '--item',
      'MOUSE-WIRELESS:1',
      '--name',
      'Grace',
      '--idempotency-key',
      'k-1',
      '--url',
      svc.url,
    ]);
    expect(result).toEqual({
      code: 0,
      stdout: `✓ order ${ORDER_ID} placed (HTTP 202)\n  Location: ${svc.url}/orders/${ORDER_ID}\n`,
      stderr: '',
    });
    const [request] = svc.requests;
    expect(request?.method).toBe('POST');
    expect(request?.path).toBe('/orders');
    expect(request?.headers['idempotency-key']).toBe('k-1');
    expect(request?.headers['content-type']).toBe('application/json');
    expect(JSON.parse(request?.body ?? '')).toEqual({
      customerId: 'c-1',
      items: [
        { sku: 'USB-C-CABLE', quantity: 2 },
        { sku: 'MOUSE-WIRELESS', quantity: 1 },
      ],
      payment: { token: 'tok_approve' },
      shippingAddress: {
        name: 'Grace',
        line1: '1 Main St',
        city: 'Paris',
        postalCode: '75001',
        country: 'FR',
      },
    });
  });

  it('reads the base URL from ORDER_SERVICE_URL when --url is not given', async () => {
    const svc = await serve((_req, res) => json(res, 202, orderResource({ status: 'PENDING' })));
    const result = await runCli(PLACE, { ORDER_SERVICE_URL: `${svc.url}/` });
    expect(result.code).toBe(0);
    expect(svc.requests).toHaveLength(1);
  });

  it('says so when the key was used before with the same body', async () => {
    const svc = await serve((_req, res) => {
      res.setHeader('location', `/orders/${ORDER_ID}`);
      res.setHeader('idempotent-replayed', 'true');
      json(res, 200, orderResource());
    });
    const result = await runCli([...PLACE, '--idempotency-key', 'k-1', '--url', svc.url]);
    expect(result.stdout).toMatch(
      `order ${ORDER_ID} was already placed with idempotency key k-1 (now COMPLETED)`,
    );
  });

  it('refuses a bad --item before sending anything, naming the SKU:QTY form', async () => {
    const svc = await serve((_req, res) => json(res, 500, {}));
    const result = await runCli([
      'place',
      '--item',
      'USB-C-CABLE',
      '--token',
      't',
      '--customer',
      'c',
      '--country',
      'FR',
      '--url',
      svc.url,
    ]);
    expect(result.code).toBe(3);
    expect(result.stderr).toMatch(
      "error: option '--item <SKU:QTY>' argument 'USB-C-CABLE' is invalid. expected SKU:QTY",
    );
    expect(result.stdout).toBe('');
    expect(svc.requests).toHaveLength(0);
  });

  it('names a missing required flag', async () => {
    const result = await runCli([
      'place',
      '--item',
      'USB-C-CABLE:1',
      '--customer',
      'c',
      '--country',
      'FR',
    ]);
    expect(result.code).toBe(3);
    expect(result.stderr).toMatch("required option '--token <token>' not specified");
  });

  it('prints the problem details of a refusal: title, detail and each error', async () => {
    const svc = await serve((_req, res) =>
      json(
        res,
        400,
        {
          type: 'urn:orderflow:problem:validation-error',
          title: 'Bad Request',
          status: 400,
          detail: 'The request body is invalid',
          instance: '/orders',
          correlationId: 'corr-9',
          errors: [
            { path: 'body/items/0/sku', message: 'must match pattern "^[A-Z0-9][A-Z0-9-]{0,63}$"' },
          ],
        },
        'application/problem+json',
      ),
    );
    const result = await runCli([
      'place',
      '--item',
      'usb:1',
      '--token',
      't',
      '--customer',
      'c',
      '--country',
      'FR',
      '--url',
      svc.url,
    ]);
    expect(result.code).toBe(3);
    expect(result.stdout).toBe('');
    expect(result.stderr).toBe(
      [
        '✗ 400 Bad Request: The request body is invalid',
        '  - body/items/0/sku: must match pattern "^[A-Z0-9][A-Z0-9-]{0,63}$"',
        '  (type urn:orderflow:problem:validation-error, correlation id corr-9)',
        '',
      ].join('\n'),
    );
  });
});

describe('get and list', () => {
  it('prints one order readably, or as the API returned it with --json', async () => {
    const svc = await serve((_req, res) => json(res, 200, orderResource()));
    const text = await runCli(['get', ORDER_ID, '--url', svc.url]);
    expect(text.code).toBe(0);
    expect(text.stdout).toMatch(/^total\s+49\.97 EUR$/m);
    const raw = await runCli(['get', ORDER_ID, '--json', '--url', svc.url]);
    expect(JSON.parse(raw.stdout)).toEqual(orderResource());
    expect(svc.requests.map((r) => r.path)).toEqual([`/orders/${ORDER_ID}`, `/orders/${ORDER_ID}`]);
  });

  it('prints a 404 as the service words it', async () => {
    const svc = await serve((_req, res) =>
      json(
        res,
        404,
        { type: 'about:blank', title: 'Not Found', status: 404, detail: 'No order o-9' },
        'application/problem+json',
      ),
    );
    const result = await runCli(['get', 'o-9', '--url', svc.url]);
    expect(result).toEqual({ code: 3, stdout: '', stderr: '✗ 404 Not Found: No order o-9\n' });
  });

  it('passes the filters as the query of GET /orders', async () => {
    const svc = await serve((_req, res) => json(res, 200, { items: [], nextCursor: null }));
    const result = await runCli([
      'list',
      '--customer',
      'c 1',
      '--status',
      'CANCELLED',
      '--limit',
      '5',
      '--url',
      svc.url,
    ]);
    expect(result).toEqual({ code: 0, stdout: 'no orders\n', stderr: '' });
    expect(svc.requests[0]?.path).toBe('/orders?customerId=c+1&status=CANCELLED&limit=5');
  });

  it('refuses an unknown --status, listing the valid ones', async () => {
    const result = await runCli(['list', '--status', 'DONE']);
    expect(result.code).toBe(3);
    expect(result.stderr).toMatch(
      'Allowed choices are PENDING, COMPLETED, CANCELLED, FAILED_NEEDS_ATTENTION',
    );
  });
});

describe('when the service is not there or not order-service', () => {
  it('says order-service is not answering and how to start it', async () => {
    const url = await closedPort();
    const result = await runCli(['get', ORDER_ID, '--url', url]);
    expect(result).toEqual({
      code: 4,
      stdout: '',
      stderr: `✗ order-service is not answering at ${url}; start the stack with ./dev stack up\n`,
    });
  });

  it('exits 4, try again later, when the service answers 503', async () => {
    const svc = await serve((_req, res) =>
      json(
        res,
        503,
        { title: 'Service Unavailable', status: 503, detail: 'Not ready: database' },
        'application/problem+json',
      ),
    );
    const result = await runCli(['get', ORDER_ID, '--url', svc.url]);
    expect(result).toEqual({
      code: 4,
      stdout: '',
      stderr: '✗ 503 Service Unavailable: Not ready: database\n',
    });
  });

  it('refuses an ORDER_SERVICE_URL that is not an http(s) URL with exit 3', async () => {
    const result = await runCli(['get', ORDER_ID], { ORDER_SERVICE_URL: 'ftp://example' });
    expect(result.code).toBe(3);
    expect(result.stderr).toMatch("ORDER_SERVICE_URL 'ftp://example' is not an http(s) base URL");
  });

  it('says so when --url answers with something that is not an order', async () => {
    const svc = await serve((_req, res) => json(res, 200, { status: 'UP' }));
    const result = await runCli(['get', ORDER_ID, '--url', svc.url]);
    expect(result.code).toBe(4);
    expect(result.stderr).toMatch(
      `✗ ${svc.url} did not answer with an order: is it order-service?`,
    );
  });

  it('refuses a --url that is not an http(s) URL', async () => {
    const result = await runCli(['get', ORDER_ID, '--url', 'localhost:3000']);
    expect(result.code).toBe(3);
    expect(result.stderr).toMatch("option '--url <url>' argument 'localhost:3000' is invalid");
  });
});

describe('help', () => {
  it('lists the commands and exits 0', async () => {
    const result = await runCli(['--help']);
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(
      /place \[options\][\s\S]*follow \[options\] <orderId>[\s\S]*get[\s\S]*list/,
    );
  });

  it('lists every exit code, each with one meaning', async () => {
    const result = await runCli(['--help']);
    const codes = [...result.stdout.matchAll(/^ {2}(\d) {2}(.+)$/gm)].map((m) => [m[1], m[2]]);
    expect(codes).toEqual([
      ['0', 'done; for follow and place --follow: the order COMPLETED'],
      ['1', 'the order ended CANCELLED or FAILED_NEEDS_ATTENTION (the reason is printed)'],
      ['2', 'the order was still not final when --timeout passed'],
      ['3', expect.stringMatching(/^fix the command: bad arguments, or order-service refused/)],
      ['4', expect.stringMatching(/^try again later: order-service did not answer/)],
    ]);
    expect(result.stdout).toMatch(/^Usage: \.\/dev order /m);
    const follow = await runCli(['follow', '--help']);
    expect(follow.stdout).toMatch(/^Exit codes:\n {2}0 {2}done;/m);
  });

  it('exits 3 without a command or with an unknown one', async () => {
    expect((await runCli([])).code).toBe(3);
    const unknown = await runCli(['cancel', ORDER_ID]);
    expect(unknown.code).toBe(3);
    expect(unknown.stderr).toMatch("unknown command 'cancel'");
  });

  it('accepts the -- that pnpm may pass on', async () => {
    const result = await runCli(['--', 'follow', '--help']);
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch('--timeout <seconds>');
  });
});
