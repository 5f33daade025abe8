import { mkdirSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { registryUrl, VERSIONS, type StackConfig } from '../config.js';
import { StackError } from '../errors.js';
import { resolveDistribution } from '../maven.js';
import { javaBinary } from '../preflight.js';
import {
  marker,
  runningProcess,
  startProcess,
  watchProcess,
  type ProcessRecord,
} from '../process.js';
import { waitUntil } from '../wait.js';

/**
 * Apicurio Registry 3.0 (in-memory storage) exposing the Confluent schema-registry API under
 * /apis/ccompat/v7. 3.0.x is the newest line that runs on Java 17 (3.1+ needs Java 21).
 */
export const REGISTRY = 'registry';

export async function resolveRegistry(config: StackConfig): Promise<string> {
  const dir = await resolveDistribution(
    `io.apicurio:apicurio-registry-app:${VERSIONS.apicurio}:tar.gz:all`,
    path.join(config.cacheDir, `apicurio-${VERSIONS.apicurio}`),
  );
  const jar = readdirSync(dir).find((f) => f.endsWith('-runner.jar') || f === 'quarkus-run.jar');
  if (!jar) {
    throw new StackError(
      `The Apicurio distribution in ${dir} has no runnable jar.`,
      `Delete ${dir} and run './dev stack up' again.`,
    );
  }
  return path.join(dir, jar);
}

export async function startRegistry(
  config: StackConfig,
  jar: string,
): Promise<ProcessRecord | undefined> {
  if (runningProcess(config, REGISTRY)) return undefined;
  const home = path.join(config.stackDir, REGISTRY);
  mkdirSync(home, { recursive: true });
  return startProcess(
    config,
    REGISTRY,
    javaBinary(config),
    [
      marker(config, REGISTRY),
      `-Xmx${config.registryHeap}`,
      '-XX:+UseSerialGC',
      `-Dquarkus.http.host=${config.host}`,
      `-Dquarkus.http.port=${config.registryPort}`,
      // Confluent semantics for Confluent clients: ids are content ids (same schema, same id in
      // every subject) and schemas are matched by canonical form, not by whitespace.
      '-Dapicurio.ccompat.legacy-id-mode.enabled=false',
      '-Dapicurio.ccompat.use-canonical-hash=true',
      '-Dquarkus.log.console.json=false',
      '-jar',
      jar,
    ],
    home,
  );
}

export async function waitForRegistry(config: StackConfig, timeoutMs = 90_000): Promise<string> {
  const url = registryUrl(config);
  await waitUntil(
    async () => {
      const res = await fetch(`${url}/subjects`, { signal: AbortSignal.timeout(2_000) });
      if (!res.ok) throw new Error(`HTTP ${res.status}`);
    },
    {
      what: `Schema registry at ${url}`,
      timeoutMs,
      ...watchProcess(config, REGISTRY),
    },
  );
  return url;
}
