import type { Admin } from 'kafkajs';
import type { MessageContract } from '../src/contract.js';
import type { AvroSerde } from '../src/serde.js';
import { sagaCommandHeaders } from './support.js';

/** Shared by the consumer-runtime integration tests: ReserveInventory records and group offsets. */

/** One ReserveInventory record; `seq` travels as the line's quantity, `tag` as its sku. */
export interface CommandSpec {
  readonly orderId: string;
  readonly seq?: number;
  readonly tag?: string;
}

export interface ReservePayload {
  readonly orderId: string;
  readonly lines: readonly { readonly sku: string; readonly quantity: number }[];
}

export async function reserveRecord(
  serde: AvroSerde,
  contract: MessageContract,
  { orderId, seq = 1, tag = 'SKU-1' }: CommandSpec,
) {
  const payload: ReservePayload = { orderId, lines: [{ sku: tag, quantity: seq }] };
  const { value, schemaId } = await serde.encode(contract, payload);
  return {
    key: orderId,
    value,
    headers: sagaCommandHeaders(contract.type, orderId, serde.schemaUrl(schemaId)),
  };
}

/** The group's committed offset per partition of `topic` (-1 where it committed nothing). */
export async function committedOffsets(
  admin: Admin,
  group: string,
  topic: string,
): Promise<Map<number, number>> {
  const [offsets] = await admin.fetchOffsets({ groupId: group, topics: [topic] });
  return new Map((offsets?.partitions ?? []).map((p) => [p.partition, Number(p.offset)]));
}

/** A promise the test settles itself, to hold a handler (or a call) where it stands. */
export function gate(): { readonly opened: Promise<void>; open(): void } {
  let open!: () => void;
  const opened = new Promise<void>((resolve) => (open = resolve));
  return { opened, open };
}
