import { randomBytes } from 'node:crypto';
import { execFile } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, writeFileSync, rmSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { describeBroker } from '@orderflow/messaging';
import { kafkaBrokers, VERSIONS, type KafkaSecurityMode, type StackConfig } from '../config.js';
import { commandOutput, StackError } from '../errors.js';
import { resolveClasspath } from '../maven.js';
import { javaBinary } from '../preflight.js';
import {
  marker,
  runningProcess,
  startProcess,
  watchProcess,
  type ProcessRecord,
} from '../process.js';
import { tcpReachable, waitUntil } from '../wait.js';
import {
  addScramArguments,
  adminSecurity,
  decideMode,
  ensureKafkaPasswords,
  forgetMode,
  recordMode,
  SCRAM_MECHANISM,
  SUPER_USER,
} from './kafka-security.js';

/** Apache Kafka in KRaft mode, one combined broker+controller, run from Maven Central jars. */
const run = promisify(execFile);
export const KAFKA = 'kafka';

export async function resolveKafka(config: StackConfig): Promise<string> {
  return resolveClasspath(
    [
      { groupId: 'org.apache.kafka', artifactId: 'kafka_2.13', version: VERSIONS.kafka },
      // Kafka 4 logs through SLF4J 2; without a binding the broker would be silent.
      { groupId: 'org.slf4j', artifactId: 'slf4j-api', version: VERSIONS.slf4j },
      {
        groupId: 'org.apache.logging.log4j',
        artifactId: 'log4j-slf4j2-impl',
        version: VERSIONS.log4j,
      },
      { groupId: 'org.apache.logging.log4j', artifactId: 'log4j-core', version: VERSIONS.log4j },
    ],
    path.join(config.cacheDir, `kafka-${VERSIONS.kafka}`),
  );
}

export function serverProperties(
  config: StackConfig,
  dataDir: string,
  secured?: { readonly superUserPassword: string },
): string {
  const { host, kafkaPort, kafkaControllerPort } = config;
  const client = secured ? 'SASL_PLAINTEXT' : 'PLAINTEXT';
  return [
    'process.roles=broker,controller',
    'node.id=1',
    `controller.quorum.voters=1@${host}:${kafkaControllerPort}`,
    `listeners=${client}://${host}:${kafkaPort},CONTROLLER://${host}:${kafkaControllerPort}`,
    `advertised.listeners=${client}://${host}:${kafkaPort}`,
    'controller.listener.names=CONTROLLER',
    `listener.security.protocol.map=${client}:${client},CONTROLLER:${client}`,
    `inter.broker.listener.name=${client}`,
    ...(secured ? securedProperties(secured.superUserPassword) : []),
    `log.dirs=${dataDir}`,
    'num.partitions=6',
    // Single node: internal topics cannot have more than one replica.
    'offsets.topic.replication.factor=1',
    'offsets.topic.num.partitions=10',
    'transaction.state.log.replication.factor=1',
    'transaction.state.log.min.isr=1',
    'transaction.state.log.num.partitions=10',
    'share.coordinator.state.topic.replication.factor=1',
    'share.coordinator.state.topic.min.isr=1',
    'group.initial.rebalance.delay.ms=0',
    // Topics come from the catalogue (or a test's own admin call), never from a typo.
    'auto.create.topics.enable=false',
    '',
  ].join('\n');
}

/**
 * Clients authenticate with SCRAM-SHA-512 (users stored in the cluster metadata, created at
 * format time). The controller listener cannot use SCRAM (the controller must authenticate the
 * broker before it has read any metadata), so it takes SASL/PLAIN with one static user, the
 * super user: it stays closed to anyone without that password. Nothing is allowed without an
 * ACL; the super user (the launcher, tests) is allowed everything.
 */
function securedProperties(password: string): string[] {
  const jaas = (module: string, extra = '') =>
    `org.apache.kafka.common.security.${module} required username="${SUPER_USER}" password="${password}"${extra};`;
  return [
    `sasl.enabled.mechanisms=${SCRAM_MECHANISM}`,
    `sasl.mechanism.inter.broker.protocol=${SCRAM_MECHANISM}`,
    `listener.name.sasl_plaintext.scram-sha-512.sasl.jaas.config=${jaas('scram.ScramLoginModule')}`,
    'sasl.mechanism.controller.protocol=PLAIN',
    'listener.name.controller.sasl.enabled.mechanisms=PLAIN',
    `listener.name.controller.plain.sasl.jaas.config=${jaas('plain.PlainLoginModule', ` user_${SUPER_USER}="${password}"`)}`,
    'authorizer.class.name=org.apache.kafka.metadata.authorizer.StandardAuthorizer',
    'allow.everyone.if.no.acl.found=false',
    `super.users=User:${SUPER_USER}`,
  ];
}

const LOG4J2 = `Configuration:
  Appenders:
    Console:
      name: STDOUT
      PatternLayout:
        pattern: "[%d] %p %m (%c)%n"
  Loggers:
    Logger:
      - name: kafka.request.logger
        level: WARN
      - name: org.apache.kafka.controller
        level: INFO
    Root:
      level: INFO
      AppenderRef:
        - ref: STDOUT
`;

/**
 * Formats a KRaft log directory. The cluster id is a random base64url UUID, and one in 64 of
 * those starts with '-', which the tool's parser would take for an option if it stood on its
 * own (`-t -Xyz…`: "expected one argument"); Kafka's own generator rerolls such ids, we pass
 * every option as `--name=value` instead.
 */
export async function formatStorage(
  java: string,
  classpath: string,
  properties: string,
  clusterId = randomBytes(16).toString('base64url'),
  extraArguments: readonly string[] = [],
): Promise<void> {
  try {
    await run(java, [
      '-cp',
      classpath,
      'kafka.tools.StorageTool',
      'format',
      `--cluster-id=${clusterId}`,
      `--config=${properties}`,
      ...extraArguments,
    ]);
  } catch (error) {
    throw new StackError(
      'Formatting the Kafka KRaft storage failed.',
      `Remove ${path.dirname(properties)} and run './dev stack up' again.`,
      commandOutput(error),
      { cause: error },
    );
  }
}

/**
 * Removes the broker's data. Called by `down`: the registry keeps schemas in memory, so a
 * stopped stack starts empty again, never with records whose schema ids it no longer knows.
 */
export function wipeKafkaData(config: StackConfig): void {
  rmSync(path.join(config.stackDir, KAFKA, 'data'), { recursive: true, force: true });
  forgetMode(config);
}

export async function startKafka(
  config: StackConfig,
  lib: string,
): Promise<ProcessRecord | undefined> {
  if (runningProcess(config, KAFKA)) return undefined;
  const home = path.join(config.stackDir, KAFKA);
  const dataDir = path.join(home, 'data');
  const properties = path.join(home, 'server.properties');
  const log4j = path.join(home, 'log4j2.yaml');
  const formatted = existsSync(path.join(dataDir, 'meta.properties'));
  const mode: KafkaSecurityMode = decideMode(config, formatted);
  const passwords = mode === 'scram' ? ensureKafkaPasswords(config) : undefined;
  const superUserPassword = passwords?.get(SUPER_USER);
  mkdirSync(dataDir, { recursive: true });
  writeFileSync(
    properties,
    serverProperties(config, dataDir, superUserPassword ? { superUserPassword } : undefined),
    { mode: 0o600 },
  );
  chmodSync(properties, 0o600); // it holds the super user's password when secured
  writeFileSync(log4j, LOG4J2);
  const java = javaBinary(config);
  const classpath = `${lib}/*`;
  // A restart (after a crash, or a test's outage) keeps the data; `down` wipes it.
  if (!formatted)
    await formatStorage(
      java,
      classpath,
      properties,
      undefined,
      passwords ? addScramArguments(passwords) : [],
    );
  recordMode(config, mode);
  return startProcess(
    config,
    KAFKA,
    java,
    [
      marker(config, KAFKA),
      `-Xms256m`,
      `-Xmx${config.kafkaHeap}`,
      '-XX:+UseG1GC',
      '-XX:MaxGCPauseMillis=20',
      '-Djava.awt.headless=true',
      `-Dlog4j2.configurationFile=${log4j}`,
      '-cp',
      classpath,
      'kafka.Kafka',
      properties,
    ],
    home,
  );
}

export async function waitForKafka(config: StackConfig, timeoutMs = 90_000): Promise<string> {
  // Probe the port first: a kafkajs client that fails half-way through connecting to a broker
  // that is still starting can leave a socket open behind it.
  const info = await waitUntil(
    async () => {
      await tcpReachable(config.host, config.kafkaPort);
      return describeBroker([kafkaBrokers(config)], adminSecurity(config));
    },
    { what: `Kafka on ${kafkaBrokers(config)}`, timeoutMs, ...watchProcess(config, KAFKA) },
  );
  return `cluster ${info.clusterId}`;
}
