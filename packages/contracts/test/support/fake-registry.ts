import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import avro from 'avsc';

/**
 * An in-memory stand-in for the Confluent schema-registry REST API, enough to unit-test the
 * register/check logic (ordering, idempotency, immutability) without a JVM. `apicurio: true`
 * mimics Apicurio's ccompat, which refuses a subject config before the subject exists.
 * Compatibility answers BACKWARD against the latest version, via avsc.
 */
export interface FakeRegistry {
  readonly url: string;
  readonly subjects: Map<string, { schemas: string[]; compatibility?: string }>;
  readonly requests: string[];
  close(): Promise<void>;
}

export async function startFakeRegistry(
  options: { apicurio?: boolean } = {},
): Promise<FakeRegistry> {
  const subjects = new Map<string, { schemas: string[]; compatibility?: string }>();
  const ids: string[] = [];
  const requests: string[] = [];
  const idOf = (schema: string) =>
    (ids.includes(schema) ? ids.indexOf(schema) : ids.push(schema) - 1) + 1;

  const handle = (
    method: string,
    path: string,
    body: Record<string, string>,
  ): [number, unknown] => {
    const [, kind, rawSubject, rest] =
      /^\/(subjects|config|compatibility\/subjects)\/([^/]+)(.*)$/.exec(path.split('?')[0] ?? '') ??
      [];
    const name = decodeURIComponent(rawSubject ?? '');
    const subject = subjects.get(name);
    const notFound: [number, unknown] = [
      404,
      { error_code: 40401, message: `Subject '${name}' not found.` },
    ];
    if (kind === 'config') {
      if (method === 'GET')
        return subject?.compatibility
          ? [200, { compatibilityLevel: subject.compatibility }]
          : [404, { error_code: 40408 }];
      if (!subject && options.apicurio) return notFound;
      const entry = subject ?? { schemas: [] };
      subjects.set(name, { ...entry, compatibility: body.compatibility ?? '' });
      return [200, { compatibility: body.compatibility }];
    }
    if (kind === 'compatibility/subjects') {
      const latest = subject?.schemas.at(-1);
      if (!latest || !body.schema) return notFound;
      try {
        avro.Type.forSchema(JSON.parse(body.schema) as avro.Schema).createResolver(
          avro.Type.forSchema(JSON.parse(latest) as avro.Schema),
        );
        return [200, { is_compatible: true }];
      } catch (err) {
        return [200, { is_compatible: false, messages: [(err as Error).message] }];
      }
    }
    if (method === 'GET' && rest === '/versions')
      return subject?.schemas.length ? [200, subject.schemas.map((_, i) => i + 1)] : notFound;
    const schema = body.schema ?? '';
    const index = subject?.schemas.indexOf(schema) ?? -1;
    if (method === 'POST' && rest === '') {
      return index >= 0
        ? [200, { subject: name, id: idOf(schema), version: index + 1, schema }]
        : [404, { error_code: 40403 }];
    }
    if (method === 'POST' && rest === '/versions') {
      const entry = subject ?? { schemas: [] };
      if (index < 0) entry.schemas.push(schema);
      subjects.set(name, entry);
      return [200, { id: idOf(schema) }];
    }
    return [405, { message: `fake registry: ${method} ${path} not supported` }];
  };

  const server: Server = createServer((req: IncomingMessage, res: ServerResponse) => {
    let raw = '';
    req.on('data', (chunk: Buffer) => (raw += chunk.toString()));
    req.on('end', () => {
      requests.push(`${req.method} ${req.url}`);
      const [status, payload] = handle(
        req.method ?? 'GET',
        req.url ?? '/',
        raw ? (JSON.parse(raw) as Record<string, string>) : {},
      );
      res
        .writeHead(status, { 'content-type': 'application/vnd.schemaregistry.v1+json' })
        .end(JSON.stringify(payload));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    subjects,
    requests,
    close: () =>
      new Promise<void>((resolve, reject) =>
        server.close((err) => (err ? reject(err) : resolve())),
      ),
  };
}
