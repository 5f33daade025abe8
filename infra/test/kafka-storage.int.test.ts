import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from '@jest/globals';
import { formatStorage, resolveKafka, serverProperties } from '../src/components/kafka.js';
import { loadStackConfig } from '../src/config.js';
import { StackError } from '../src/errors.js';
import { javaBinary } from '../src/preflight.js';

const home = mkdtempSync(path.join(tmpdir(), 'kafka-storage-'));
afterAll(() => rmSync(home, { recursive: true, force: true }));

describe('formatStorage (the real kafka-storage tool)', () => {
  // One in 64 random cluster ids starts with '-'; given as `-t <id>`, the tool took it for an
  // option and refused to format, so a fresh stack failed to start now and then.
  it.each(['-QVmvRZnLRBqgQwq6mH7Hg', 'QVmvRZnLRBqgQwq6mH7Hg-'])(
    'formats a log directory for cluster id %s',
    async (clusterId) => {
      const config = loadStackConfig();
      const dataDir = path.join(home, clusterId, 'data');
      const properties = path.join(home, clusterId, 'server.properties');
      mkdirSync(dataDir, { recursive: true });
      writeFileSync(properties, serverProperties(config, dataDir));
      await formatStorage(
        javaBinary(config),
        `${await resolveKafka(config)}/*`,
        properties,
        clusterId,
      );
      expect(readFileSync(path.join(dataDir, 'meta.properties'), 'utf8')).toContain(
        `cluster.id=${clusterId}`,
      );
    },
  );

  it("fails with the tool's own output in the error's log tail", async () => {
    const config = loadStackConfig();
    const missing = path.join(home, 'absent', 'server.properties');
    const failure = formatStorage(javaBinary(config), `${await resolveKafka(config)}/*`, missing);
    await expect(failure).rejects.toBeInstanceOf(StackError);
    await expect(failure).rejects.toMatchObject({ logTail: expect.stringContaining(missing) });
  });
});
