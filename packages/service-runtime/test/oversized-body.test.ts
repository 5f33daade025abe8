import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { once } from 'node:events';
import { connect, type Socket } from 'node:net';
import { createLogger } from '@orderflow/telemetry';
import { buildHttpApp, OVERSIZED_BODY_DRAIN_BYTES, type HttpApp } from '../src/index.js';
import { publicRoute, testSecurity } from './support/security.js';

// Over a raw socket: `inject` has no connection to close, and with fetch in the same process the
// server never gets to close the socket while the client is still writing.
let app: HttpApp;
let port: number;

beforeAll(async () => {
  app = await buildHttpApp({
    security: (await testSecurity()).security,
    service: 'runtime-test',
    logger: createLogger({ service: 'runtime-test', level: 'silent' }),
    readiness: () => Promise.resolve({}),
    bodyLimitBytes: 64 * 1024,
  });
  app.post('/echo', publicRoute, (request) => Promise.resolve(request.body));
  await app.listen({ host: '127.0.0.1', port: 0 });
  const address = app.server.address();
  if (address === null || typeof address === 'string') throw new Error('no TCP address');
  port = address.port;
});

afterAll(async () => {
  await app.close();
});

interface RawResponse {
  readonly status: number;
  readonly headers: Record<string, string>;
  readonly body: string;
}

/** Reads HTTP/1.1 responses off a socket, one at a time (bodies framed by content-length). */
function responseReader(socket: Socket): { next(): Promise<RawResponse>; closed: () => boolean } {
  let buffered = Buffer.alloc(0);
  let ended = false;
  socket.on('data', (chunk: Buffer) => {
    buffered = Buffer.concat([buffered, chunk]);
    socket.emit('buffered');
  });
  socket.on('end', () => {
    ended = true;
    socket.emit('buffered');
  });
  const parse = (): RawResponse | undefined => {
    const headEnd = buffered.indexOf('\r\n\r\n');
    if (headEnd < 0) return undefined;
    const [statusLine = '', ...lines] = buffered
      .subarray(0, headEnd)
      .toString('latin1')
      .split('\r\n');
    const headers = Object.fromEntries(
      lines.map((line) => {
        const colon = line.indexOf(':');
        return [line.slice(0, colon).toLowerCase(), line.slice(colon + 1).trim()];
      }),
    );
    const length = Number(headers['content-length'] ?? 0);
    if (buffered.length < headEnd + 4 + length) return undefined;
    const body = buffered.subarray(headEnd + 4, headEnd + 4 + length).toString('utf8');
    buffered = buffered.subarray(headEnd + 4 + length);
    return { status: Number(statusLine.split(' ')[1]), headers, body };
  };
  return {
    async next() {
      for (;;) {
        const response = parse();
        if (response) return response;
        if (ended) throw new Error('the server closed the connection');
        await once(socket, 'buffered');
      }
    },
    closed: () => ended,
  };
}

const head = (length: number, extra = '') =>
  `POST /echo HTTP/1.1\r\nHost: test\r\nContent-Type: application/json\r\n${extra}Content-Length: ${length}\r\n\r\n`;

async function connected(): Promise<{ socket: Socket; errors: Error[] }> {
  const socket = connect(port, '127.0.0.1');
  const errors: Error[] = [];
  socket.on('error', (error) => errors.push(error));
  await once(socket, 'connect');
  return { socket, errors };
}

describe('a body over the limit', () => {
  it('is read and dropped, then answered 413, and the connection serves the next request', async () => {
    const { socket, errors } = await connected();
    const responses = responseReader(socket);
    const size = 2 * 1024 * 1024;
    const next = '{"after":"the refused body"}';
    socket.write(head(size));
    socket.write('x'.repeat(size));
    socket.write(head(Buffer.byteLength(next)) + next);

    const refused = await responses.next();
    expect(refused.status).toBe(413);
    expect(refused.headers['content-type']).toContain('application/problem+json');
    expect(JSON.parse(refused.body)).toMatchObject({ status: 413 });
    expect(refused.headers.connection).not.toBe('close');
    const served = await responses.next();
    expect(served.status).toBe(200);
    expect(JSON.parse(served.body)).toEqual({ after: 'the refused body' });
    expect(errors).toEqual([]);
    socket.destroy();
  });

  it('reaches a client that asked to close only after its whole body was read (no reset)', async () => {
    // Answered at once and closed (fastify's default), the rest of the upload meets a closed
    // socket: the client sees EPIPE or ECONNRESET, often before it could read the 413.
    const { socket, errors } = await connected();
    const responses = responseReader(socket);
    const size = 4 * 1024 * 1024;
    socket.write(head(size, 'Connection: close\r\n'));
    socket.write('x'.repeat(size));
    const refused = await responses.next();
    expect(refused.status).toBe(413);
    if (!responses.closed()) await once(socket, 'end');
    expect(errors).toEqual([]);
    socket.destroy();
  });

  it('closes the connection rather than read a declared body past the drain cap', async () => {
    const { socket } = await connected();
    const responses = responseReader(socket);
    socket.write(head(OVERSIZED_BODY_DRAIN_BYTES + 1));
    const refused = await responses.next();
    expect(refused.status).toBe(413);
    expect(refused.headers.connection).toBe('close');
    if (!responses.closed()) await once(socket, 'end');
    socket.destroy();
  });
});
