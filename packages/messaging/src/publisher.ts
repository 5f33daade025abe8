import { v7 as uuidv7 } from 'uuid';
import type { MessageContract } from './contract.js';
import type { Queryable } from './db.js';
import { envelopeHeaders, serviceSource, type Envelope } from './envelope.js';
import { MessagingError } from './errors.js';
import type { AvroSerde } from './serde.js';
import type { StormGuard } from './storm-guard.js';
import { injectTraceHeaders } from '@orderflow/telemetry';

/**
 * The producer path: contract and ownership → storm guard → Avro encode → outbox row in the
 * caller's transaction. Nothing reaches Kafka unless that transaction commits; the relay then
 * publishes the row (NOTIFY on commit wakes it at once).
 */
export interface CausedBy {
  readonly id: string;
  readonly correlationId: string;
  readonly causationDepth: number;
}

export interface OutgoingMessage {
  readonly contract: MessageContract;
  /** The orderId: one order's records share a partition and so keep their order. */
  readonly key: string;
  readonly payload: unknown;
  /** The consumed message this one answers: carries correlation and causation forward. */
  readonly causedBy?: CausedBy;
  /** For a flow's first message (e.g. from an HTTP request's x-correlation-id). */
  readonly correlationId?: string;
}

export interface PreparedMessage {
  readonly topic: string;
  readonly key: string;
  readonly value: Buffer;
  readonly headers: Record<string, string>;
  readonly envelope: Envelope;
}

export interface PublisherOptions {
  readonly service: string;
  readonly serde: AvroSerde;
  readonly stormGuard: StormGuard;
  readonly now?: () => Date;
  readonly newId?: () => string;
}

function pickTrace(h: Record<string, string>): Pick<Envelope, 'traceparent' | 'tracestate'> {
  return { traceparent: h.traceparent, tracestate: h.tracestate };
}

export const OUTBOX_CHANNEL = 'orderflow_outbox';

/** An outbox row as the relay publishes it. */
export interface OutboxRow {
  readonly seq: string;
  readonly topic: string;
  readonly message_key: string;
  readonly value: Buffer;
  readonly headers: Record<string, string>;
  readonly message_type: string;
}

// One NOTIFY per transaction whatever the row count: Postgres folds identical notifications.
// The payload names the writer, so a relay can tell rows it was handed from others' rows.
const INSERT = `
  WITH row AS (
    INSERT INTO outbox (message_id, message_type, topic, message_key, value, headers)
    VALUES ($1, $2, $3, $4, $5, $6)
    RETURNING seq
  )
  SELECT row.seq::text AS seq, pg_notify('${OUTBOX_CHANNEL}', $7) FROM row`;

export class Publisher {
  private readonly now: () => Date;
  private readonly newId: () => string;

  constructor(private readonly options: PublisherOptions) {
    this.now = options.now ?? (() => new Date());
    this.newId = options.newId ?? uuidv7;
  }

  /**
   * Everything but the write: ownership, storm guard, validation, encoding and the envelope.
   * `publish` stores the result in the outbox; tools and benchmarks can send it directly.
   */
  async prepare(message: OutgoingMessage): Promise<PreparedMessage> {
    const { contract, key, payload, causedBy } = message;
    const { service, serde, stormGuard } = this.options;
    if (!contract.emitters.includes(service)) {
      throw new MessagingError(
        'NOT_OWNER',
        `${service} may not emit ${contract.type} (emitted by ${contract.emitters.join(', ')})`,
      );
    }
    const depth = causedBy ? causedBy.causationDepth + 1 : 0;
    stormGuard.checkDepth(contract.type, depth);
    await stormGuard.admit(contract.type);
    const { value, schemaId } = await serde.encode(contract, payload);
    const id = this.newId();
    const envelope: Envelope = {
      id,
      type: contract.type,
      source: serviceSource(service),
      time: this.now().toISOString(),
      subject: key,
      dataschema: serde.schemaUrl(schemaId),
      correlationId: causedBy?.correlationId ?? message.correlationId ?? id,
      causationId: causedBy?.id,
      causationDepth: depth,
      // The producer's trace travels in the row: the relay publishes later, outside this context.
      ...pickTrace(injectTraceHeaders({})),
    };
    return { topic: contract.topic, key, value, headers: envelopeHeaders(envelope), envelope };
  }

  /** Stores the message in the outbox in the caller's transaction; the relay publishes it. */
  async publish(tx: Queryable, message: OutgoingMessage): Promise<Envelope> {
    return (await this.insert(tx, message, '')).envelope;
  }

  /**
   * Like `publish`, for a caller that hands the returned row to its own relay after commit
   * (`OutboxRelay.handOff`): the NOTIFY carries `writer`, so that relay skips the re-query.
   */
  async insert(
    tx: Queryable,
    message: OutgoingMessage,
    writer: string,
  ): Promise<{ envelope: Envelope; row: OutboxRow }> {
    const prepared = await this.prepare(message);
    const { rows } = await tx.query<{ seq: string }>(INSERT, [
      prepared.envelope.id,
      prepared.envelope.type,
      prepared.topic,
      prepared.key,
      prepared.value,
      JSON.stringify(prepared.headers),
      writer,
    ]);
    const row: OutboxRow = {
      seq: rows[0]!.seq,
      topic: prepared.topic,
      message_key: prepared.key,
      value: prepared.value,
      headers: prepared.headers,
      message_type: prepared.envelope.type,
    };
    return { envelope: prepared.envelope, row };
  }
}
