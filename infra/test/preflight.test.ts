import { createServer, type Server } from 'node:net';
import { afterEach, describe, expect, it } from '@jest/globals';
import { checkPortFree } from '../src/preflight.js';

function listen(): Promise<{ server: Server; port: number }> {
  return new Promise((resolve) => {
    const server = createServer();
    server.listen({ host: '127.0.0.1', port: 0 }, () => {
      const address = server.address();
      resolve({ server, port: typeof address === 'object' && address ? address.port : 0 });
    });
  });
}

const servers: Server[] = [];
afterEach(() => {
  for (const server of servers.splice(0)) server.close();
});

describe('checkPortFree', () => {
  it('names the port that is taken', async () => {
    const { server, port } = await listen();
    servers.push(server);
    await expect(checkPortFree('127.0.0.1', port, 'test-service')).rejects.toThrow(
      `Port ${port} (test-service) on 127.0.0.1 is already in use`,
    );
  });

  it('waits out a port released within its grace period (a process that just died)', async () => {
    const { server, port } = await listen();
    setTimeout(() => server.close(), 300);
    await expect(checkPortFree('127.0.0.1', port, 'test-service', 3_000)).resolves.toBeUndefined();
  });
});
