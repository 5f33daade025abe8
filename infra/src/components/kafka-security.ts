import { randomBytes } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { PLATFORM_KAFKA_USERS } from '@orderflow/contracts';
import { PLAINTEXT, type KafkaSecurity } from '@orderflow/messaging';
import type { KafkaSecurityMode, StackConfig } from '../config.js';
import { StackError } from '../errors.js';

/**
 * The secured broker's credentials and mode (README "Security"). `up --secure` formats the
 * broker with one SCRAM-SHA-512 user per service, the operators' user and the launcher's super
 * user; their passwords are generated once into the state directory (0600 files, never in the
 * repository) and kept, like the dev JWT keys, so a restarted broker and its clients agree.
 * The mode the broker was formatted with is recorded beside it: every later step (topics, ACLs,
 * services, status, tests) connects the way the running broker expects, whatever the flag.
 */
export const SUPER_USER = 'orderflow-admin';
export const SCRAM_MECHANISM = 'SCRAM-SHA-512';

function kafkaHome(config: StackConfig): string {
  return path.join(config.stackDir, 'kafka');
}

function modeFile(config: StackConfig): string {
  return path.join(kafkaHome(config), 'security-mode');
}

/** Where a user's password is kept (the services get this path, not the password). */
export function passwordFile(config: StackConfig, user: string): string {
  return path.join(config.stackDir, 'kafka-users', `${user}.password`);
}

export function kafkaUsers(): readonly string[] {
  return [SUPER_USER, ...PLATFORM_KAFKA_USERS];
}

/** Every user's password, created on first use (24 random bytes, base64url: no quoting needed). */
export function ensureKafkaPasswords(config: StackConfig): ReadonlyMap<string, string> {
  const dir = path.dirname(passwordFile(config, SUPER_USER));
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  chmodSync(dir, 0o700);
  return new Map(
    kafkaUsers().map((user) => {
      const file = passwordFile(config, user);
      if (!existsSync(file))
        writeFileSync(file, randomBytes(24).toString('base64url'), { mode: 0o600 });
      return [user, readFileSync(file, 'utf8').trim()] as const;
    }),
  );
}

/** The mode the broker's data was formatted with; undefined when there is no broker data. */
export function recordedMode(config: StackConfig): KafkaSecurityMode | undefined {
  if (!existsSync(modeFile(config)))
    // Data formatted before the mode was recorded (a launcher of an earlier commit): plaintext.
    return existsSync(path.join(kafkaHome(config), 'data', 'meta.properties'))
      ? 'plaintext'
      : undefined;
  const raw = readFileSync(modeFile(config), 'utf8').trim();
  return raw === 'scram' ? 'scram' : 'plaintext';
}

/**
 * The mode to run the broker in: the recorded one when its data exists (an explicit request for
 * the other mode is refused: the data would not match), else the requested one, else plaintext.
 */
export function decideMode(config: StackConfig, hasData: boolean): KafkaSecurityMode {
  const recorded = hasData ? (recordedMode(config) ?? 'plaintext') : undefined;
  if (recorded && config.kafkaSecurity && config.kafkaSecurity !== recorded) {
    throw new StackError(
      `The stack's Kafka was formatted ${recorded}; ${config.kafkaSecurity} was asked for.`,
      "Stop the stack first ('./dev stack down' discards the broker's data), then start it in the other mode.",
    );
  }
  return recorded ?? config.kafkaSecurity ?? 'plaintext';
}

export function recordMode(config: StackConfig, mode: KafkaSecurityMode): void {
  writeFileSync(modeFile(config), `${mode}\n`);
}

export function forgetMode(config: StackConfig): void {
  rmSync(modeFile(config), { force: true });
}

function userSecurity(config: StackConfig, user: string): KafkaSecurity {
  const password = ensureKafkaPasswords(config).get(user);
  return Object.freeze({
    sasl: Object.freeze({ mechanism: 'scram-sha-512' as const, username: user }),
    password,
    ssl: false,
  });
}

/** How the launcher (and tests, tools) connect to this stack's broker: its super user if secured. */
export function adminSecurity(config: StackConfig): KafkaSecurity {
  return recordedMode(config) === 'scram' ? userSecurity(config, SUPER_USER) : PLAINTEXT;
}

const CLIENT_VARIABLES = [
  'KAFKA_SASL_MECHANISM',
  'KAFKA_SASL_USERNAME',
  'KAFKA_SASL_PASSWORD',
  'KAFKA_SASL_PASSWORD_FILE',
] as const;

/** A user's client settings as environment variables (the password as a file); {} if plaintext. */
export function kafkaClientEnv(config: StackConfig, user: string): NodeJS.ProcessEnv {
  // Blank, not absent: the launcher's own environment (a test run's) must not leak through.
  if (recordedMode(config) !== 'scram')
    return Object.fromEntries(CLIENT_VARIABLES.map((name) => [name, '']));
  ensureKafkaPasswords(config);
  return {
    KAFKA_SASL_MECHANISM: 'scram-sha-512',
    KAFKA_SASL_USERNAME: user,
    KAFKA_SASL_PASSWORD: '',
    KAFKA_SASL_PASSWORD_FILE: passwordFile(config, user),
  };
}

/** `--add-scram` arguments of `kafka-storage format`: every user's SCRAM-SHA-512 credential. */
export function addScramArguments(passwords: ReadonlyMap<string, string>): string[] {
  return [...passwords].map(
    ([name, password]) => `--add-scram=${SCRAM_MECHANISM}=[name=${name},password=${password}]`,
  );
}
