import { MESSAGE_TYPES, messageSpec } from './manifest.js';
import { SERVICE_NAMES, type ServiceName } from './services.js';
import { dlqTopic, RETRY_TIERS, retryTopic, TOPICS, type TopicName } from './topics.js';

/**
 * Broker ACLs derived from the ownership manifest, so the broker enforces what the contracts
 * declare: a service writes the topics it owns and the commands it may send, reads what it
 * consumes, and reads and writes its own retry topics and writes its own DLQs, in its own
 * consumer group. Nothing else is granted, and the broker runs with
 * `allow.everyone.if.no.acl.found=false`, so anything unlisted is refused.
 *
 * Kafka lets READ and WRITE imply DESCRIBE on the same resource, so DESCRIBE is granted only
 * where nothing else is. The services use no Kafka transactions (outbox and inbox instead), so
 * no transactional-id ACL; an idempotent producer needs WRITE on some topic only (KIP-679).
 */
export type AclResourceType = 'topic' | 'group';
export type AclPatternType = 'literal' | 'prefixed';
export type AclOperation = 'read' | 'write' | 'describe';

export interface AclBinding {
  /** `User:<name>`: the SCRAM user name is the service name. */
  readonly principal: string;
  readonly resourceType: AclResourceType;
  readonly resourceName: string;
  readonly patternType: AclPatternType;
  readonly operation: AclOperation;
}

/**
 * The operators' principal (console, `./dev dlq`): reads the DLQs, replays a record to its origin
 * topic, and reads every topic's offsets and every service group's committed offsets (lag).
 */
export const OPERATOR_PRINCIPAL = 'orderflow-operator';

/** Groups the DLQ tools create per read (`dlq-reader-<pid>-<ms>`, `dlq-show-…`); never commit. */
export const OPERATOR_GROUP_PREFIXES = ['dlq-reader-', 'dlq-show-'] as const;

export function kafkaPrincipal(user: string): string {
  return `User:${user}`;
}

const BUSINESS_TOPICS = Object.keys(TOPICS) as TopicName[];

/** Topics a service may write: those it owns, and those carrying a message it may emit. */
export function writableTopics(service: ServiceName): TopicName[] {
  const emitted = new Set(
    MESSAGE_TYPES.map(messageSpec)
      .filter((spec) => spec.emitters.includes(service))
      .map((spec) => spec.topic),
  );
  return BUSINESS_TOPICS.filter((t) => TOPICS[t].owner === service || emitted.has(t));
}

/** Business topics a service consumes (its group reads them). */
export function consumedTopics(service: ServiceName): TopicName[] {
  return BUSINESS_TOPICS.filter((t) =>
    (TOPICS[t].consumers as readonly string[]).includes(service),
  );
}

function binding(
  user: string,
  resourceType: AclResourceType,
  resourceName: string,
  operation: AclOperation,
  patternType: AclPatternType = 'literal',
): AclBinding {
  return { principal: kafkaPrincipal(user), resourceType, resourceName, patternType, operation };
}

/** Every ACL of one service's principal; its consumer group is its name (SERVICES). */
export function serviceAcls(service: ServiceName): AclBinding[] {
  const acls = writableTopics(service).map((t) => binding(service, 'topic', t, 'write'));
  const consumed = consumedTopics(service);
  for (const topic of consumed) {
    acls.push(binding(service, 'topic', topic, 'read'));
    RETRY_TIERS.forEach((_, i) => {
      const retry = retryTopic(topic, service, i + 1);
      acls.push(
        binding(service, 'topic', retry, 'read'),
        binding(service, 'topic', retry, 'write'),
      );
    });
    acls.push(binding(service, 'topic', dlqTopic(topic, service), 'write'));
  }
  if (consumed.length > 0) acls.push(binding(service, 'group', service, 'read'));
  return acls;
}

/** The operator principal's ACLs: see OPERATOR_PRINCIPAL. */
export function operatorAcls(): AclBinding[] {
  const op = OPERATOR_PRINCIPAL;
  const acls: AclBinding[] = [];
  for (const topic of BUSINESS_TOPICS) {
    // Replay sends a dead letter back to its origin topic.
    acls.push(binding(op, 'topic', topic, 'write'));
    for (const group of TOPICS[topic].consumers) {
      RETRY_TIERS.forEach((_, i) =>
        acls.push(binding(op, 'topic', retryTopic(topic, group, i + 1), 'describe')),
      );
      acls.push(binding(op, 'topic', dlqTopic(topic, group), 'read'));
    }
  }
  for (const service of SERVICE_NAMES) acls.push(binding(op, 'group', service, 'describe'));
  for (const prefix of OPERATOR_GROUP_PREFIXES)
    acls.push(binding(op, 'group', prefix, 'read', 'prefixed'));
  return acls;
}

/** Every ACL the platform's broker needs: one principal per service, plus the operators'. */
export function platformAcls(): AclBinding[] {
  return [...SERVICE_NAMES.flatMap(serviceAcls), ...operatorAcls()];
}

/** The SCRAM users the broker needs for the platform (the launcher adds its own super user). */
export const PLATFORM_KAFKA_USERS: readonly string[] = [...SERVICE_NAMES, OPERATOR_PRINCIPAL];

/**
 * Whether `acls` let `user` do `operation` on a literal resource: the broker's rule for ALLOW
 * bindings (a literal or prefix match; READ and WRITE imply DESCRIBE). For tests and reviews.
 */
export function allows(
  acls: readonly AclBinding[],
  user: string,
  resourceType: AclResourceType,
  resourceName: string,
  operation: AclOperation,
): boolean {
  const implied: readonly AclOperation[] =
    operation === 'describe' ? ['describe', 'read', 'write'] : [operation];
  return acls.some(
    (acl) =>
      acl.principal === kafkaPrincipal(user) &&
      acl.resourceType === resourceType &&
      implied.includes(acl.operation) &&
      (acl.patternType === 'literal'
        ? acl.resourceName === resourceName
        : resourceName.startsWith(acl.resourceName)),
  );
}
