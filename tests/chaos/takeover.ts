import { AssignerProtocol, type Admin } from 'kafkajs';
import type pg from 'pg';
import type { ServiceName } from '@orderflow/contracts';
import { settle } from './invariants.js';
import { groupTopics } from './observe.js';

/**
 * What happens after one instance of a service dies while another runs: who holds the outbox
 * relay's lock, who owns the consumer group's partitions, and when the survivor first handles a
 * record of a partition the dead instance owned. Instances are told apart by the
 * application_name the launcher gives each one's connections (PGAPPNAME = `order-saga@2`).
 */

/** The relay's lock: outbox-relay.ts takes pg_try_advisory_lock(hashtext('outbox-relay')). */
const RELAY_LOCK_KEY = 'outbox-relay';

/** The instance whose session holds the service's relay lock, or undefined when none does. */
export async function relayLockHolder(pool: pg.Pool): Promise<string | undefined> {
  // A one-key advisory lock shows as classid = high 32 bits, objid = low 32 bits, objsubid 1.
  const { rows } = await pool.query<{ holder: string }>(
    `SELECT a.application_name AS holder
       FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid
      WHERE l.locktype = 'advisory' AND l.granted AND l.objsubid = 1
        AND l.database = (SELECT oid FROM pg_database WHERE datname = current_database())
        AND ((l.classid::bigint << 32) | l.objid::bigint) = hashtext($1)::bigint`,
    [RELAY_LOCK_KEY],
  );
  return rows[0]?.holder;
}

export interface GroupMember {
  readonly memberId: string;
  /** `topic:partition` */
  readonly partitions: readonly string[];
}

export interface GroupState {
  readonly state: string;
  readonly members: readonly GroupMember[];
}

/** A consumer group's state and each member's assignment, as the coordinator has them. */
export async function describeGroup(admin: Admin, group: string): Promise<GroupState> {
  const { groups } = await admin.describeGroups([group]);
  const found = groups[0];
  if (!found) throw new Error(`the broker does not describe group ${group}`);
  return {
    state: found.state,
    members: found.members.map((m) => {
      const decoded = AssignerProtocol.MemberAssignment.decode(m.memberAssignment);
      return {
        memberId: m.memberId,
        partitions: Object.entries(decoded?.assignment ?? {}).flatMap(([topic, ps]) =>
          ps.map((p) => `${topic}:${p}`),
        ),
      };
    }),
  };
}

/** Waits until the group is Stable with `members` members, each owning partitions. */
export async function stableGroup(
  admin: Admin,
  group: string,
  members: number,
  timeoutMs: number,
): Promise<GroupState> {
  const settled = await settle(
    () => describeGroup(admin, group),
    (g) =>
      g.state === 'Stable' &&
      g.members.length === members &&
      g.members.every((m) => m.partitions.length > 0),
    timeoutMs,
    250,
  );
  if (!settled.ok) {
    throw new Error(
      `group ${group} not Stable with ${members} members after ${timeoutMs} ms: ${settled.value.state}, ${settled.value.members.length} members`,
    );
  }
  return settled.value;
}

/** The group's committed offset per `topic:partition` (-1: none yet). */
export async function committedOffsets(
  admin: Admin,
  group: ServiceName,
): Promise<Map<string, number>> {
  const topics = await admin.fetchOffsets({ groupId: group, topics: groupTopics(group) });
  return new Map(
    topics.flatMap(({ topic, partitions }) =>
      partitions.map((p) => [`${topic}:${p.partition}`, Number(p.offset)] as const),
    ),
  );
}

/** Times from the kill, in ms; undefined when it did not happen within the watch. */
export interface Takeover {
  readonly service: ServiceName;
  readonly killed: string;
  readonly survivor: string;
  /** The killed process is gone (SIGKILL delivered, its memory and sockets released). */
  readonly exitedMs: number;
  /** The dead instance's session no longer holds the relay lock (Postgres ended it). */
  readonly lockReleasedMs: number | undefined;
  /** The survivor's relay holds the lock. */
  readonly lockTakenMs: number | undefined;
  /** The group is Stable without the dead member (its session timed out, the survivor rejoined). */
  readonly rebalancedMs: number | undefined;
  /** Partitions the dead member owned. */
  readonly orphaned: number;
  /** First commit past the kill on one of those partitions: the survivor handled a record of it. */
  readonly firstRecordMs: number | undefined;
}

/**
 * Kills an instance with `kill` and watches the aftermath. `before` is the group just before the
 * kill. The relay lock is watched from before the kill, so its release is timed from the kill
 * itself. The group's committed offsets are read once the process is gone: a dead process
 * commits nothing, and the coordinator takes commits only from the current generation's owner of
 * a partition, so the first offset past them on an orphaned partition is the survivor's.
 */
export async function killAndWatch(input: {
  readonly admin: Admin;
  readonly pool: pg.Pool;
  readonly service: ServiceName;
  readonly killed: string;
  readonly survivor: string;
  readonly before: GroupState;
  readonly kill: () => Promise<void>;
  readonly timeoutMs: number;
}): Promise<Takeover> {
  const { admin, pool, service, timeoutMs } = input;
  let killedAt = Number.POSITIVE_INFINITY;
  const since = async (done: Promise<{ ok: boolean }>) =>
    (await done).ok ? Date.now() - killedAt : undefined;
  const lockReleased = since(
    settle(
      () => relayLockHolder(pool),
      (h) => h !== input.killed,
      timeoutMs,
      20,
    ),
  );
  const lockTaken = since(
    settle(
      () => relayLockHolder(pool),
      (h) => h === input.survivor,
      timeoutMs,
      20,
    ),
  );
  killedAt = Date.now();
  await input.kill();
  const exitedMs = Date.now() - killedAt;
  const offsets = await committedOffsets(admin, service);
  let after: GroupState | undefined;
  const rebalanced = since(
    settle(
      () => describeGroup(admin, service),
      (g) => {
        after = g;
        return g.state === 'Stable' && g.members.length === input.before.members.length - 1;
      },
      timeoutMs,
      100,
    ),
  );
  // Which member left is known once the group is Stable without it; only an advance on one of
  // its partitions counts.
  let orphaned: readonly string[] | undefined;
  const firstRecord = since(
    settle(
      async () => {
        const now = await committedOffsets(admin, service);
        if (orphaned === undefined && after?.state === 'Stable') {
          const left = input.before.members.filter(
            (m) => !after?.members.some((a) => a.memberId === m.memberId),
          );
          if (left.length !== 1) {
            throw new Error(
              `${service}: ${left.length} members left the group after one kill; cannot tell the dead one`,
            );
          }
          orphaned = left[0]?.partitions ?? [];
        }
        return (orphaned ?? []).some((tp) => (now.get(tp) ?? -1) > (offsets.get(tp) ?? -1));
      },
      (advanced) => advanced,
      timeoutMs,
      100,
    ),
  );
  const [lockReleasedMs, lockTakenMs, rebalancedMs, firstRecordMs] = await Promise.all([
    lockReleased,
    lockTaken,
    rebalanced,
    firstRecord,
  ]);
  return {
    service,
    killed: input.killed,
    survivor: input.survivor,
    exitedMs,
    lockReleasedMs,
    lockTakenMs,
    rebalancedMs,
    orphaned: orphaned?.length ?? 0,
    firstRecordMs,
  };
}
