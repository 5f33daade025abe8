import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * The one registry endpoint a decoding consumer calls, `GET /schemas/ids/<id>`, served from a
 * fixed table: unit tests decode through the real AvroSerde without a JVM.
 */
export interface SchemaServer {
  readonly url: string;
  close(): Promise<void>;
}

export async function startSchemaServer(
  schemas: ReadonlyMap<number, unknown>,
): Promise<SchemaServer> {
  const server = createServer((req, res) => {
    const id = Number(/^\/schemas\/ids\/(\d+)$/.exec(req.url ?? '')?.[1]);
    const schema = schemas.get(id);
    res.writeHead(schema ? 200 : 404, { 'content-type': 'application/json' });
    res.end(JSON.stringify(schema ? { schema: JSON.stringify(schema) } : { error_code: 40403 }));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}
