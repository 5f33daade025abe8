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
    expect(message).toMatch(/PORT: .*\(got "eighty"\)/);
    expect(message).toMatch(/LOG_LEVEL: .*\(got "loud"\)/);
    expect(message).toMatch(/SCHEMA_REGISTRY_URL: /);
    expect((error as ConfigError).problems).toHaveLength(3);
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
