import { setTimeout as sleep } from 'node:timers/promises';
import kafkajs, { Kafka, logLevel, type Admin } from 'kafkajs';
import type { AclBinding, CatalogueTopic } from '@orderflow/contracts';
import { kafkajsSecurity, PLAINTEXT, type KafkaSecurity } from './kafka-security.js';

/** Broker administration for tooling (launcher, tests): readiness probe and idempotent topic creation. */
export interface BrokerInfo {
  readonly clusterId: string;
  readonly brokers: number;
}

function adminClient(brokers: readonly string[], security: KafkaSecurity) {
  const kafka = new Kafka({
    clientId: 'orderflow-admin',
    brokers: [...brokers],
    ...kafkajsSecurity(security),
    logLevel: logLevel.NOTHING,
    connectionTimeout: 3_000,
    retry: { retries: 0 },
  });
  return kafka.admin();
}

/** One metadata round-trip; throws when the broker does not answer. */
export async function describeBroker(
  brokers: readonly string[],
  security: KafkaSecurity = PLAINTEXT,
): Promise<BrokerInfo> {
  const admin = adminClient(brokers, security);
  try {
    await admin.connect();
    const cluster = await admin.describeCluster();
    return { clusterId: cluster.clusterId, brokers: cluster.brokers.length };
  } finally {
    await admin.disconnect();
  }
}

async function waitForLeaders(admin: Admin, topics: string[], timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      const { topics: meta } = await admin.fetchTopicMetadata({ topics });
      if (meta.every((t) => t.partitions.length > 0 && t.partitions.every((p) => p.leader >= 0)))
        return;
    } catch (error) {
      if (Date.now() > deadline) throw error;
    }
    if (Date.now() > deadline)
      throw new Error(`topics have no leaders after ${timeoutMs} ms: ${topics.join(', ')}`);
    await sleep(100);
  }
}

export interface EnsureTopicsResult {
  readonly created: readonly string[];
  readonly existing: readonly string[];
}

/** Creates the topics that do not exist yet; existing topics are left as they are. */
export async function ensureTopics(
  brokers: readonly string[],
  topics: readonly Pick<CatalogueTopic, 'name' | 'partitions' | 'retentionMs'>[],
  security: KafkaSecurity = PLAINTEXT,
): Promise<EnsureTopicsResult> {
  const admin = adminClient(brokers, security);
  try {
    await admin.connect();
    const present = new Set(await admin.listTopics());
    const missing = topics.filter((t) => !present.has(t.name));
    if (missing.length > 0) {
      // kafkajs's own leader wait gives up on UNKNOWN_TOPIC_OR_PARTITION, which a KRaft broker
      // answers for a moment after creation; we poll the metadata ourselves instead.
      await admin.createTopics({
        waitForLeaders: false,
        topics: missing.map((t) => ({
          topic: t.name,
          numPartitions: t.partitions,
          replicationFactor: 1,
          configEntries: [{ name: 'retention.ms', value: String(t.retentionMs) }],
        })),
      });
      await waitForLeaders(
        admin,
        missing.map((t) => t.name),
      );
    }
    return {
      created: missing.map((t) => t.name),
      existing: topics.filter((t) => present.has(t.name)).map((t) => t.name),
    };
  } finally {
    await admin.disconnect();
  }
}

// kafkajs is CommonJS and Node's named-export detection misses these enums: read them off the
// default export.
const { AclOperationTypes, AclPermissionTypes, AclResourceTypes, ResourcePatternTypes } = kafkajs;

const RESOURCE = { topic: AclResourceTypes.TOPIC, group: AclResourceTypes.GROUP } as const;
const PATTERN = {
  literal: ResourcePatternTypes.LITERAL,
  prefixed: ResourcePatternTypes.PREFIXED,
} as const;
const OPERATION = {
  read: AclOperationTypes.READ,
  write: AclOperationTypes.WRITE,
  describe: AclOperationTypes.DESCRIBE,
} as const;

/**
 * Creates ALLOW bindings (the broker ignores one that exists already) and waits until the broker
 * enforces them: the controller accepts them at once, the broker's authorizer learns them from
 * the metadata log moments later (a client right after would be refused). Returns how many ACLs
 * the broker holds. Needs a principal allowed to ALTER the cluster (a super user).
 */
export async function ensureAcls(
  brokers: readonly string[],
  acls: readonly AclBinding[],
  security: KafkaSecurity,
  timeoutMs = 30_000,
): Promise<number> {
  const admin = adminClient(brokers, security);
  try {
    await admin.connect();
    await admin.createAcls({
      acl: acls.map((acl) => ({
        resourceType: RESOURCE[acl.resourceType],
        resourceName: acl.resourceName,
        resourcePatternType: PATTERN[acl.patternType],
        principal: acl.principal,
        host: '*',
        operation: OPERATION[acl.operation],
        permissionType: AclPermissionTypes.ALLOW,
      })),
    });
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const held = (await aclsOf(admin)).length;
      if (held >= acls.length) return held;
      if (Date.now() > deadline)
        throw new Error(`the broker holds ${held} of ${acls.length} ACLs after ${timeoutMs} ms`);
      await sleep(100);
    }
  } finally {
    await admin.disconnect();
  }
}

async function aclsOf(admin: Admin): Promise<{ principal: string }[]> {
  const { resources } = await admin.describeAcls({
    resourceType: AclResourceTypes.ANY,
    resourcePatternType: ResourcePatternTypes.ANY,
    operation: AclOperationTypes.ANY,
    permissionType: AclPermissionTypes.ANY,
  });
  return resources.flatMap((r) => r.acls);
}

/** How many ACLs the broker holds, and for how many principals (for `stack status`). */
export async function describeAclCount(
  brokers: readonly string[],
  security: KafkaSecurity,
): Promise<{ readonly acls: number; readonly principals: number }> {
  const admin = adminClient(brokers, security);
  try {
    await admin.connect();
    const all = await aclsOf(admin);
    return { acls: all.length, principals: new Set(all.map((a) => a.principal)).size };
  } finally {
    await admin.disconnect();
  }
}
