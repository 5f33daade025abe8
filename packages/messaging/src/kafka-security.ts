import { readFileSync } from 'node:fs';
import type { KafkaConfig, SASLOptions } from 'kafkajs';

/**
 * How a client authenticates to the broker: SASL (SCRAM-SHA-512 on the launcher's secured
 * broker) and, optionally, TLS. One parser for every client (services, console, tools, tests),
 * so they all read the same variables:
 *
 *   KAFKA_SASL_MECHANISM       scram-sha-512 | scram-sha-256 | plain (unset or empty: no SASL,
 *                              and the other KAFKA_SASL_* are ignored)
 *   KAFKA_SASL_USERNAME        the principal (a service's name on the launcher's broker)
 *   KAFKA_SASL_PASSWORD        its password, or KAFKA_SASL_PASSWORD_FILE: a file holding it
 *   KAFKA_SSL                  true: TLS with the system's CAs
 *   KAFKA_SSL_CA_FILE          a PEM bundle to trust instead (implies TLS)
 */
export const SASL_MECHANISMS = ['scram-sha-512', 'scram-sha-256', 'plain'] as const;
export type SaslMechanism = (typeof SASL_MECHANISMS)[number];

export interface KafkaSecurity {
  readonly sasl?: { readonly mechanism: SaslMechanism; readonly username: string };
  readonly ssl: boolean;
  /** Read once when the settings are parsed; never logged or echoed (see `describeSecurity`). */
  readonly password?: string;
  readonly caPem?: string;
}

export const PLAINTEXT: KafkaSecurity = Object.freeze({ ssl: false });

/** A setting that is missing, inconsistent or unreadable; the message names variables, never values. */
export class KafkaSecurityError extends Error {
  readonly code = 'KAFKA_SECURITY_INVALID';
  readonly retryable = false;
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'KafkaSecurityError';
  }
}

type Env = Readonly<Record<string, string | undefined>>;

function readSecretFile(variable: string, file: string): string {
  try {
    return readFileSync(file, 'utf8').trim();
  } catch (error) {
    throw new KafkaSecurityError(`${variable}: cannot read the file it names`, { cause: error });
  }
}

function flag(variable: string, raw: string | undefined): boolean {
  if (raw === undefined || raw === '' || raw === 'false' || raw === '0') return false;
  if (raw === 'true' || raw === '1') return true;
  throw new KafkaSecurityError(`${variable}: expected true or false`);
}

/** Parses the KAFKA_SASL_* and KAFKA_SSL* variables (see above) into frozen settings. */
export function kafkaSecurityFromEnv(env: Env = process.env): KafkaSecurity {
  const mechanism = env.KAFKA_SASL_MECHANISM?.toLowerCase() || undefined;
  const caFile = env.KAFKA_SSL_CA_FILE || undefined;
  const ssl = flag('KAFKA_SSL', env.KAFKA_SSL) || caFile !== undefined;
  const caPem = caFile === undefined ? undefined : readSecretFile('KAFKA_SSL_CA_FILE', caFile);
  // No mechanism, no SASL: a user name or password file alone is ignored, so one environment
  // (docker-compose.yml's) can name each service's principal for a broker that may be plaintext.
  if (mechanism === undefined) return Object.freeze({ ssl, caPem });
  if (!(SASL_MECHANISMS as readonly string[]).includes(mechanism))
    throw new KafkaSecurityError(
      `KAFKA_SASL_MECHANISM: expected one of ${SASL_MECHANISMS.join(', ')}`,
    );
  const username = env.KAFKA_SASL_USERNAME;
  if (!username)
    throw new KafkaSecurityError('KAFKA_SASL_USERNAME: required with KAFKA_SASL_MECHANISM');
  const passwordFile = env.KAFKA_SASL_PASSWORD_FILE || undefined;
  if (env.KAFKA_SASL_PASSWORD && passwordFile)
    throw new KafkaSecurityError('set KAFKA_SASL_PASSWORD or KAFKA_SASL_PASSWORD_FILE, not both');
  const password =
    passwordFile !== undefined
      ? readSecretFile('KAFKA_SASL_PASSWORD_FILE', passwordFile)
      : env.KAFKA_SASL_PASSWORD;
  if (!password)
    throw new KafkaSecurityError(
      'KAFKA_SASL_PASSWORD or KAFKA_SASL_PASSWORD_FILE: required with KAFKA_SASL_MECHANISM',
    );
  return Object.freeze({
    sasl: Object.freeze({ mechanism: mechanism as SaslMechanism, username }),
    password,
    ssl,
    caPem,
  });
}

/** The kafkajs client options for these settings. */
export function kafkajsSecurity(security: KafkaSecurity): Pick<KafkaConfig, 'sasl' | 'ssl'> {
  const ssl = security.caPem !== undefined ? { ca: [security.caPem] } : security.ssl;
  if (!security.sasl) return { ssl };
  const sasl = {
    mechanism: security.sasl.mechanism,
    username: security.sasl.username,
    password: security.password ?? '',
  } as SASLOptions; // kafkajs's union is keyed by mechanism; ours is one of its members.
  return { ssl, sasl };
}

/** One line for logs and status output: mechanism and user, never the password. */
export function describeSecurity(security: KafkaSecurity): string {
  const transport = security.ssl ? 'TLS' : 'plaintext';
  return security.sasl
    ? `SASL ${security.sasl.mechanism.toUpperCase()} as ${security.sasl.username} over ${transport}`
    : `no SASL, ${transport}`;
}
