import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * Stands in for compose's Jaeger: an OTLP/HTTP intake on a free port that accepts every export
 * and remembers which `service.name`s sent spans, so the check proves the services' exporter
 * wiring (OTEL_EXPORTER_OTLP_ENDPOINT) too. The services' exporter sends OTLP JSON.
 */
export interface OtlpSink {
  readonly port: number;
  /** service.name of every resource that exported spans so far. */
  readonly services: ReadonlySet<string>;
  close(): Promise<void>;
}

interface ExportRequest {
  resourceSpans?: {
    resource?: { attributes?: { key?: string; value?: { stringValue?: string } }[] };
  }[];
}

export async function startOtlpSink(host: string): Promise<OtlpSink> {
  const services = new Set<string>();
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      if (req.method === 'POST' && req.url === '/v1/traces') {
        for (const name of serviceNames(Buffer.concat(chunks).toString('utf8'))) services.add(name);
      }
      res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, host, resolve);
  });
  return {
    port: (server.address() as AddressInfo).port,
    services,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

function serviceNames(body: string): string[] {
  try {
    const parsed = JSON.parse(body) as ExportRequest;
    return (parsed.resourceSpans ?? []).flatMap((rs) =>
      (rs.resource?.attributes ?? [])
        .filter((a) => a.key === 'service.name' && a.value?.stringValue)
        .map((a) => a.value!.stringValue!),
    );
  } catch {
    return []; // protobuf or garbage: counted as nothing
  }
}
