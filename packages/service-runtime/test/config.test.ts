import { describe, expect, it } from '@jest/globals';
import { commonEnv, ConfigError, loadConfig, port, z } from '../src/index.js';

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
