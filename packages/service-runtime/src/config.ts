import { kafkaSecurityFromEnv, type KafkaSecurity } from '@orderflow/messaging';
import { z } from 'zod';

/**
 * Environment → typed, frozen config, validated once at start. zod rather than env-schema: the
 * config type is inferred from the schema (env-schema needs a second, hand-kept type or
 * TypeBox), coercion of strings is explicit per field, and every issue carries its path, so one
 * error can name every bad variable at once. Errors name the variable and the rule it breaks,
 * never the value.
 */
export class ConfigError extends Error {
  readonly code = 'CONFIG_INVALID';
  readonly retryable = false;

  constructor(readonly problems: readonly string[]) {
    super(`Invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

export type Env = Readonly<Record<string, string | undefined>>;

export function loadConfig<S extends z.ZodType<object>>(
  schema: S,
  env: Env = process.env,
): Readonly<z.output<S>> {
  const result = schema.safeParse(env);
  if (!result.success) {
    throw new ConfigError(
      result.error.issues.map((issue) => {
        const name = issue.path.map(String).join('.') || '(environment)';
        const value = issue.path.length === 1 ? env[String(issue.path[0])] : undefined;
        // Never the value itself: it may be a secret (a URL with a password, a key), and this
        // message goes to logs and CI output. A rule that quoted it gets a placeholder instead.
        const rule =
          value === undefined || value === ''
            ? issue.message
            : issue.message.replaceAll(value, '<value>');
        return `${name}: ${rule} (${value === undefined ? 'unset' : 'set'})`;
      }),
    );
  }
  return Object.freeze(result.data);
}

/** Fields every service reads; a service spreads them into its own `z.object({...})`. */
export const commonEnv = {
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  KAFKA_BROKERS: z
    .string()
    .default('127.0.0.1:9092')
    .transform((value) =>
      value
        .split(',')
        .map((b) => b.trim())
        .filter((b) => b.length > 0),
    )
    .pipe(z.array(z.string().regex(/^[^\s:]+:\d+$/, 'expected host:port')).min(1)),
  SCHEMA_REGISTRY_URL: z.url().default('http://127.0.0.1:8081/apis/ccompat/v7'),
  /** SASL and TLS towards the broker; read and checked by messaging's kafkaSecurityFromEnv. */
  KAFKA_SASL_MECHANISM: z.string().optional(),
  KAFKA_SASL_USERNAME: z.string().optional(),
  KAFKA_SASL_PASSWORD: z.string().optional(),
  KAFKA_SASL_PASSWORD_FILE: z.string().optional(),
  KAFKA_SSL: z.string().optional(),
  KAFKA_SSL_CA_FILE: z.string().optional(),
  /** OTel's standard variable; unset means spans are not exported. */
  OTEL_EXPORTER_OTLP_ENDPOINT: z.url().optional(),
} as const;

export const port = (fallback: number) =>
  z.coerce.number().int().min(0).max(65_535).default(fallback);

export { z };

const KAFKA_SECURITY_VARS = [
  'KAFKA_SASL_MECHANISM',
  'KAFKA_SASL_USERNAME',
  'KAFKA_SASL_PASSWORD',
  'KAFKA_SASL_PASSWORD_FILE',
  'KAFKA_SSL',
  'KAFKA_SSL_CA_FILE',
] as const;

export type KafkaSecurityFields = {
  readonly [K in (typeof KAFKA_SECURITY_VARS)[number]]?: string | undefined;
};

/** The broker credentials of a loaded config (throws KafkaSecurityError when inconsistent). */
export function kafkaSecurityOf(config: KafkaSecurityFields): KafkaSecurity {
  return kafkaSecurityFromEnv(Object.fromEntries(KAFKA_SECURITY_VARS.map((k) => [k, config[k]])));
}
