import avro from 'avsc';
import { SchemaRegistry, SchemaType } from '@kafkajs/confluent-schema-registry';
import { checkAvroBounds } from './avro-bounds.js';
import { avroType, type MessageContract } from './contract.js';
import { MessagingError } from './errors.js';

/**
 * Avro in the Confluent wire format: magic byte 0, 4-byte big-endian schema id, Avro binary.
 * Schema ids are resolved once per contract and cached; writer schemas once per id; resolvers
 * (writer → reader, Avro schema resolution) once per pair.
 */
type Resolver = ReturnType<avro.Type['createResolver']>;

const MAGIC = 0;
const HEADER_BYTES = 5;

export interface SerdeOptions {
  readonly registryUrl: string;
  /**
   * Register a schema the registry does not know yet. Convenient for development and tests;
   * in production `./dev schemas register` owns registration and this stays off.
   */
  readonly autoRegister?: boolean;
}

export interface Decoded {
  readonly value: unknown;
  readonly schemaId: number;
}

export class AvroSerde {
  readonly registry: SchemaRegistry;
  // Keyed by the contract object: contracts are built once per process, so the hot path never
  // serialises a schema to find its id or resolver.
  private readonly ids = new WeakMap<MessageContract, Promise<number>>();
  private readonly writers = new Map<number, Promise<avro.Type>>();
  private readonly resolvers = new WeakMap<MessageContract, Map<number, Resolver>>();

  constructor(private readonly options: SerdeOptions) {
    this.registry = new SchemaRegistry({ host: options.registryUrl });
  }

  /** Registry URL of a schema id, for `ce_dataschema`. */
  schemaUrl(id: number): string {
    return `${this.options.registryUrl}/schemas/ids/${id}`;
  }

  schemaId(contract: MessageContract): Promise<number> {
    let id = this.ids.get(contract);
    if (!id) {
      id = this.lookupId(contract);
      id.catch(() => this.ids.delete(contract));
      this.ids.set(contract, id);
    }
    return id;
  }

  private async lookupId(contract: MessageContract): Promise<number> {
    const schema = { type: SchemaType.AVRO, schema: JSON.stringify(contract.schema) } as const;
    if (this.options.autoRegister) {
      return (await this.registry.register(schema, { subject: contract.subject })).id;
    }
    try {
      return await this.registry.getRegistryIdBySchema(contract.subject, schema);
    } catch (error) {
      throw new MessagingError(
        'TRANSIENT',
        `schema of ${contract.type} is not registered under ${contract.subject}: run './dev schemas register'`,
        { cause: error },
      );
    }
  }

  /** Throws CONTRACT_VIOLATION naming every invalid field path. */
  validate(contract: MessageContract, payload: unknown): void {
    const problems: string[] = [];
    avroType(contract).isValid(payload, {
      errorHook: (path, value, type) => {
        problems.push(
          `${path.join('.') || '(root)'}: ${JSON.stringify(value) ?? 'undefined'} is not a valid ${String(type)}`,
        );
      },
    });
    if (problems.length > 0) {
      throw new MessagingError(
        'CONTRACT_VIOLATION',
        `invalid ${contract.type} payload: ${problems.join('; ')}`,
      );
    }
  }

  async encode(
    contract: MessageContract,
    payload: unknown,
  ): Promise<{ value: Buffer; schemaId: number }> {
    this.validate(contract, payload);
    const schemaId = await this.schemaId(contract);
    const body = avroType(contract).toBuffer(payload);
    const value = Buffer.allocUnsafe(HEADER_BYTES + body.length);
    value.writeUInt8(MAGIC, 0);
    value.writeInt32BE(schemaId, 1);
    body.copy(value, HEADER_BYTES);
    return { value, schemaId };
  }

  /**
   * Decodes with the reader's schema; NOT_AVRO, AVRO_BOUNDS (counts or lengths beyond the value's
   * bytes), UNKNOWN_SCHEMA_ID or WRONG_SCHEMA when it cannot.
   */
  async decode(buffer: Buffer | null, reader: MessageContract): Promise<Decoded> {
    if (!buffer || buffer.length < HEADER_BYTES || buffer.readUInt8(0) !== MAGIC) {
      throw new MessagingError(
        'NOT_AVRO',
        'value is not in the Confluent Avro wire format (no magic byte)',
      );
    }
    const schemaId = buffer.readInt32BE(1);
    const writer = await this.writerType(schemaId);
    const readerType = avroType(reader);
    let byWriter = this.resolvers.get(reader);
    if (!byWriter) {
      byWriter = new Map();
      this.resolvers.set(reader, byWriter);
    }
    let resolver = byWriter.get(schemaId);
    if (!resolver) {
      if (writer.name !== readerType.name) {
        throw new MessagingError(
          'WRONG_SCHEMA',
          `schema ${schemaId} is ${writer.name ?? 'unnamed'}, expected ${readerType.name ?? ''}`,
        );
      }
      try {
        resolver = readerType.createResolver(writer);
      } catch (error) {
        throw new MessagingError(
          'WRONG_SCHEMA',
          `schema ${schemaId} cannot be read as ${reader.type}: ${(error as Error).message}`,
          { cause: error },
        );
      }
      byWriter.set(schemaId, resolver);
    }
    const body = buffer.subarray(HEADER_BYTES);
    // Before avsc allocates anything on the body's word (see avro-bounds.ts).
    checkAvroBounds(writer, body);
    try {
      return { value: readerType.fromBuffer(body, resolver), schemaId };
    } catch (error) {
      throw new MessagingError(
        'NOT_AVRO',
        `value does not decode with schema ${schemaId}: ${(error as Error).message}`,
        { cause: error },
      );
    }
  }

  private writerType(id: number): Promise<avro.Type> {
    let writer = this.writers.get(id);
    if (!writer) {
      writer = this.fetchWriter(id);
      writer.catch(() => this.writers.delete(id));
      this.writers.set(id, writer);
    }
    return writer;
  }

  private async fetchWriter(id: number): Promise<avro.Type> {
    const res = await fetch(this.schemaUrl(id), { signal: AbortSignal.timeout(5_000) }).catch(
      (error: unknown) => {
        throw new MessagingError(
          'TRANSIENT',
          `schema registry unreachable: ${(error as Error).message}`,
          { cause: error },
        );
      },
    );
    if (res.status === 404)
      throw new MessagingError('UNKNOWN_SCHEMA_ID', `schema id ${id} is unknown to the registry`);
    if (!res.ok)
      throw new MessagingError(
        'TRANSIENT',
        `schema registry answered ${res.status} for schema id ${id}`,
      );
    const body = (await res.json()) as { schema: string; schemaType?: string };
    if (body.schemaType && body.schemaType !== 'AVRO') {
      throw new MessagingError('WRONG_SCHEMA', `schema id ${id} is ${body.schemaType}, not AVRO`);
    }
    return avro.Type.forSchema(JSON.parse(body.schema) as avro.Schema);
  }
}
