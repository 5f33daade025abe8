import { describe, expect, it } from '@jest/globals';
import { commonEnv, ConfigError, loadConfig, port, serviceEnv, z } from '../src/index.js';

const schema = z.object({ PORT: port(3001), ...commonEnv });

describe('loadConfig', () => {
  it('applies defaults, coerces and freezes', () => {
    const config = loadConfig(schema, { PORT: '4000', KAFKA_BROKERS: 'a:9092, b:9093' });
    expect(config).toMatchObject({
      PORT: 4000,
      KAFKA_BROKERS: ['a:9092', 'b:9093'],
      LOG_LEVEL: 'info',
    });
    expect(Object.isFrozen(config)).toBe(true);
  });

  it('names every bad variable in one error', () => {
    let error: unknown;
    try {
      loadConfig(schema, { PORT: 'eighty', LOG_LEVEL: 'loud', SCHEMA_REGISTRY_URL: 'nope' });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ConfigError);
    const message = (error as ConfigError).message;
    expect(message).toMatch(/PORT: .*\(set\)/);
    expect(message).toMatch(/LOG_LEVEL: .*\(set\)/);
    expect(message).toMatch(/SCHEMA_REGISTRY_URL: /);
    expect((error as ConfigError).problems).toHaveLength(3);
  });

  it('never echoes a rejected value, not even inside a rule that quoted it', () => {
    const secret = 'postgres://app:s3cr3t-pw@db:5432/orders';
    const withSecret = z.object({
      DATABASE_URL: z.string().refine((v) => v.startsWith('postgresql:'), {
        error: (issue) => `${String(issue.input)} must use postgresql:`,
      }),
      PORT: port(3001),
    });
    let error: unknown;
    try {
      loadConfig(withSecret, { DATABASE_URL: secret, PORT: 's3cr3t-pw' });
    } catch (e) {
      error = e;
    }
    const message = (error as ConfigError).message;
    expect(message).toMatch(/DATABASE_URL: <value> must use postgresql: \(set\)/);
    expect(message).toMatch(/PORT: .*\(set\)/);
    expect(message).not.toContain('s3cr3t');
  });
});

describe('the fault-injection switch of serviceEnv', () => {
  const serviceSchema = z.object(serviceEnv('payment-service'));

  it('is off unless set', () => {
    expect(loadConfig(serviceSchema, {}).ORDERFLOW_FAULT_KILL_AFTER_COMMIT).toBeUndefined();
  });

  it('is parsed once at start into a count or a probability', () => {
    expect(
      loadConfig(serviceSchema, { ORDERFLOW_FAULT_KILL_AFTER_COMMIT: '7' })
        .ORDERFLOW_FAULT_KILL_AFTER_COMMIT,
    ).toEqual({ kind: 'count', count: 7 });
    expect(
      loadConfig(serviceSchema, { ORDERFLOW_FAULT_KILL_AFTER_COMMIT: '0.25' })
        .ORDERFLOW_FAULT_KILL_AFTER_COMMIT,
    ).toEqual({ kind: 'probability', probability: 0.25 });
  });

  it('fails fast on a value it cannot read', () => {
    expect(() => loadConfig(serviceSchema, { ORDERFLOW_FAULT_KILL_AFTER_COMMIT: 'often' })).toThrow(
      /ORDERFLOW_FAULT_KILL_AFTER_COMMIT: .*whole number/,
    );
  });
});
