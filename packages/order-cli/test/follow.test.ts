import { afterEach, describe, expect, it } from '@jest/globals';
import {
  cancelledStream,
  closedPort,
  completedStream,
  fakeOrderService,
  json,
  ORDER_ID,
  sseFrame,
  sseHead,
  type FakeService,
  type Respond,
} from './support/fake-order-service.js';
import { runCli } from './support/run-cli.js';

/** `follow` against a stand-in stream: printing, exit codes, resuming with Last-Event-ID, timeout. */
let service: FakeService | undefined;
afterEach(async () => {
  await service?.close();
  service = undefined;
});

async function serve(respond: Respond): Promise<FakeService> {
  service = await fakeOrderService(respond);
  return service;
}

const versions = (stdout: string) => [...stdout.matchAll(/^v(\d+) /gm)].map((m) => Number(m[1]));

describe('follow', () => {
  it('prints every change and exits 0 once the order is COMPLETED', async () => {
    const svc = await serve((_req, res) => {
      sseHead(res);
      for (const message of completedStream()) res.write(sseFrame(message));
      res.end();
    });
    const result = await runCli(['follow', ORDER_ID, '--url', svc.url]);
    expect(result.code).toBe(0);
    expect(versions(result.stdout)).toEqual([1, 2, 3, 4, 5, 6]);
    expect(result.stdout).toMatch(/RESERVE_INVENTORY SUCCEEDED/);
    expect(result.stdout.trimEnd().split('\n').at(-1)).toBe(`✓ order ${ORDER_ID} COMPLETED`);
    expect(svc.requests[0]?.path).toBe(`/orders/${ORDER_ID}/stream`);
    expect(svc.requests[0]?.headers['last-event-id']).toBeUndefined();
  });

  it('exits 1 with the reason when the order is CANCELLED', async () => {
    const svc = await serve((_req, res) => {
      sseHead(res);
      for (const message of cancelledStream()) res.write(sseFrame(message));
      res.end();
    });
    const result = await runCli(['follow', ORDER_ID, '--url', svc.url]);
    expect(result.code).toBe(1);
    expect(result.stdout).toMatch(
      `✗ order ${ORDER_ID} CANCELLED: PAYMENT_DECLINED at PROCESS_PAYMENT: payment declined (INSUFFICIENT_FUNDS)`,
    );
  });

  it('resumes after a dropped connection with Last-Event-ID, missing and repeating nothing', async () => {
    const stream = completedStream();
    const svc = await serve((req, res) => {
      const after = Number(req.headers['last-event-id'] ?? 0);
      sseHead(res);
      const rest = stream.filter((m) => m.version > after);
      if (after === 0) {
        // Two events, then the connection breaks mid-stream, as when a proxy or the network drops it.
        for (const message of rest.slice(0, 2)) res.write(sseFrame(message));
        res.write('id: 3\ndata: {"partial":');
        setImmediate(() => res.socket?.destroy());
        return;
      }
      for (const message of rest) res.write(sseFrame(message));
      res.end();
    });
    const result = await runCli(['follow', ORDER_ID, '--url', svc.url]);
    expect(result.code).toBe(0);
    expect(versions(result.stdout)).toEqual([1, 2, 3, 4, 5, 6]);
    expect(svc.requests.map((r) => r.headers['last-event-id'])).toEqual([undefined, '2']);
    expect(result.stderr).toMatch(/was lost; resuming after version 2/);
  });

  it('resumes when the service ends the stream before the order is final (a restart)', async () => {
    const stream = completedStream();
    const svc = await serve((req, res) => {
      const after = Number(req.headers['last-event-id'] ?? 0);
      sseHead(res);
      for (const message of stream.filter((m) => m.version > after).slice(0, 3)) {
        res.write(sseFrame(message));
      }
      res.end();
    });
    const result = await runCli(['follow', ORDER_ID, '--url', svc.url]);
    expect(result.code).toBe(0);
    expect(versions(result.stdout)).toEqual([1, 2, 3, 4, 5, 6]);
    expect(svc.requests.map((r) => r.headers['last-event-id'])).toEqual([undefined, '3']);
  });

  it('keeps resuming while the service answers 503 as it restarts, saying so once', async () => {
    const stream = completedStream();
    const svc = await serve((req, res) => {
      const attempt = svc.requests.length;
      if (attempt === 2 || attempt === 3) {
        json(res, 503, {
          title: 'Service Unavailable',
          status: 503,
          detail: 'Not ready: database',
        });
        return;
      }
      const after = Number(req.headers['last-event-id'] ?? 0);
      sseHead(res);
      for (const message of stream.filter((m) => m.version > after).slice(0, 2)) {
        res.write(sseFrame(message));
      }
      res.end();
    });
    const result = await runCli(['follow', ORDER_ID, '--url', svc.url]);
    expect(result.code).toBe(0);
    expect(versions(result.stdout)).toEqual([1, 2, 3, 4, 5, 6]);
    expect(result.stderr.match(/Not ready: database; resuming after version 2/g)).toHaveLength(1);
    expect(svc.requests.map((r) => r.headers['last-event-id'])).toEqual([
      undefined,
      '2',
      '2',
      '2',
      '4',
    ]);
  });

  it('gives up at --timeout with exit 2, saying where the order stands', async () => {
    const [placed] = completedStream();
    const svc = await serve((_req, res) => {
      sseHead(res);
      if (placed) res.write(sseFrame(placed));
      res.write(': keep-alive\n\n'); // and nothing more: the saga is stuck
    });
    const result = await runCli(['follow', ORDER_ID, '--timeout', '0.3', '--url', svc.url]);
    expect(result.code).toBe(2);
    expect(versions(result.stdout)).toEqual([1]);
    expect(result.stderr).toBe(
      `✗ gave up after 0.3 s: order ${ORDER_ID} is still PENDING (version 1). Follow it again with: ./dev order follow ${ORDER_ID}\n`,
    );
  });

  it('stops at once for an order that does not exist, with exit 3, not the 1 of a cancelled one', async () => {
    const svc = await serve((_req, res) =>
      json(
        res,
        404,
        { title: 'Not Found', status: 404, detail: 'No order o-404' },
        'application/problem+json',
      ),
    );
    const result = await runCli(['follow', 'o-404', '--url', svc.url]);
    expect(result).toEqual({
      code: 3,
      stdout: expect.stringMatching(/^following/),
      stderr: '✗ 404 Not Found: No order o-404\n',
    });
    expect(svc.requests).toHaveLength(1);
  });

  it('fails at once, without retrying, when the service is not there to begin with', async () => {
    const url = await closedPort();
    const result = await runCli(['follow', ORDER_ID, '--timeout', '2', '--url', url]);
    expect(result.code).toBe(4);
    expect(result.stderr).toBe(
      `✗ order-service is not answering at ${url}; start the stack with ./dev stack up\n`,
    );
  });

  it('refuses an answer that is not an event stream', async () => {
    const svc = await serve((_req, res) => json(res, 200, { ok: true }));
    const result = await runCli(['follow', ORDER_ID, '--url', svc.url]);
    expect(result.code).toBe(4);
    expect(result.stderr).toMatch('answered application/json, not an event stream');
  });
});
