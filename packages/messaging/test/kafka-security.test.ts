import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from '@jest/globals';
import {
  describeSecurity,
  kafkajsSecurity,
  kafkaSecurityFromEnv,
  KafkaSecurityError,
} from '../src/kafka-security.js';

const dir = mkdtempSync(path.join(tmpdir(), 'kafka-security-'));
const secretFile = path.join(dir, 'payment-service.password');
writeFileSync(secretFile, 's3cret-from-file\n');

describe('kafkaSecurityFromEnv', () => {
  it('is plaintext without a mechanism, and ignores a user name or password file then', () => {
    const security = kafkaSecurityFromEnv({
      KAFKA_SASL_MECHANISM: '',
      KAFKA_SASL_USERNAME: 'payment-service',
      KAFKA_SASL_PASSWORD_FILE: secretFile,
    });
    expect(security.sasl).toBeUndefined();
    expect(kafkajsSecurity(security)).toEqual({ ssl: false });
  });

  it('reads SCRAM credentials, the password from its file, for kafkajs', () => {
    const security = kafkaSecurityFromEnv({
      KAFKA_SASL_MECHANISM: 'SCRAM-SHA-512',
      KAFKA_SASL_USERNAME: 'payment-service',
      KAFKA_SASL_PASSWORD_FILE: secretFile,
      KAFKA_SSL: 'true',
    });
    expect(kafkajsSecurity(security)).toEqual({
      ssl: true,
      sasl: {
        mechanism: 'scram-sha-512',
        username: 'payment-service',
        password: 's3cret-from-file',
      },
    });
    expect(describeSecurity(security)).toBe('SASL SCRAM-SHA-512 as payment-service over TLS');
  });

  it.each([
    [
      { KAFKA_SASL_MECHANISM: 'gssapi', KAFKA_SASL_USERNAME: 'u', KAFKA_SASL_PASSWORD: 'p' },
      'KAFKA_SASL_MECHANISM',
    ],
    [{ KAFKA_SASL_MECHANISM: 'scram-sha-512', KAFKA_SASL_PASSWORD: 'p' }, 'KAFKA_SASL_USERNAME'],
    [{ KAFKA_SASL_MECHANISM: 'scram-sha-512', KAFKA_SASL_USERNAME: 'u' }, 'KAFKA_SASL_PASSWORD'],
    [
      {
        KAFKA_SASL_MECHANISM: 'scram-sha-512',
        KAFKA_SASL_USERNAME: 'u',
        KAFKA_SASL_PASSWORD: 'hunter2',
        KAFKA_SASL_PASSWORD_FILE: secretFile,
      },
      'not both',
    ],
    [
      {
        KAFKA_SASL_MECHANISM: 'plain',
        KAFKA_SASL_USERNAME: 'u',
        KAFKA_SASL_PASSWORD_FILE: path.join(dir, 'absent'),
      },
      'KAFKA_SASL_PASSWORD_FILE',
    ],
    [{ KAFKA_SSL: 'yes' }, 'KAFKA_SSL'],
  ])('refuses %j, naming %s and never the password', (env, named) => {
    let error: unknown;
    try {
      kafkaSecurityFromEnv(env);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(KafkaSecurityError);
    expect((error as Error).message).toContain(named);
    expect((error as Error).message).not.toContain('hunter2');
  });
});
