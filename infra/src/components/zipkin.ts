import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { VERSIONS, type StackConfig } from '../config.js';
import { resolveArtifact } from '../maven.js';
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
 * Zipkin 3.5 (`up --with tracing`): the server's executable jar from Maven Central, in-memory
 * storage (traces go with the process), UI and API on one port. The services export to it with
 * OpenTelemetry's Zipkin exporter: the 3.5 server has no OTLP intake (POST /v1/traces is a 404).
 */
export const ZIPKIN = 'zipkin';

export function zipkinUrl(config: StackConfig): string {
  return `http://${config.host}:${config.zipkinPort}`;
}

/** What a service sets OTEL_EXPORTER_ZIPKIN_ENDPOINT to. */
export function zipkinSpansEndpoint(config: StackConfig): string {
  return `${zipkinUrl(config)}/api/v2/spans`;
}

export function resolveZipkin(config: StackConfig): Promise<string> {
  return resolveArtifact(
    `io.zipkin:zipkin-server:${VERSIONS.zipkin}:jar:exec`,
    path.join(config.cacheDir, `zipkin-${VERSIONS.zipkin}`),
  );
}

export async function startZipkin(
  config: StackConfig,
  jar: string,
): Promise<ProcessRecord | undefined> {
  if (runningProcess(config, ZIPKIN)) return undefined;
  const home = path.join(config.stackDir, ZIPKIN);
  mkdirSync(home, { recursive: true });
  return startProcess(
    config,
    ZIPKIN,
    javaBinary(config),
    [
      marker(config, ZIPKIN),
      `-Xmx${config.zipkinHeap}`,
      '-XX:+UseSerialGC',
      // One JIT tier: a third faster to start on two busy cores, and a trace store is not hot.
      '-XX:TieredStopAtLevel=1',
      '-jar',
      jar,
      // Armeria's listener: the launcher's host only, as Kafka and the registry.
      `--armeria.ports[0].ip=${config.host}`,
      `--armeria.ports[0].port=${config.zipkinPort}`,
      '--armeria.ports[0].protocols=http',
    ],
    home,
    {
      ...process.env,
      STORAGE_TYPE: 'mem',
      // Keeps the newest spans only, so a long-running stack does not grow without bound. A span
      // costs about 5.2 KB of heap (measured: 38,400 spans of ~140 per order held 200 MB after a
      // full GC), so 40,000 (the last ~300 orders) fit ZIPKIN_HEAP's default 512m with room to
      // collect. 200,000 in 128m ran out of heap after ~150 orders and dropped every span after.
      MEM_MAX_SPANS: '40000',
      // Zipkin's own /prometheus and self-tracing are not needed here.
      SELF_TRACING_ENABLED: 'false',
    },
  );
}

export async function waitForZipkin(config: StackConfig, timeoutMs = 180_000): Promise<string> {
  const url = zipkinUrl(config);
  await waitUntil(
    async () => {
      const res = await fetch(`${url}/health`, { signal: AbortSignal.timeout(2_000) });
      if (!res.ok) throw new Error(`HTTP ${res.status}`);
    },
    { what: `Zipkin at ${url}`, timeoutMs, ...watchProcess(config, ZIPKIN) },
  );
  return url;
}
