import { describe, expect, it } from '@jest/globals';
import {
  kafkaBrokers,
  loadStackConfig,
  registryUrl,
  serviceDatabaseName,
  serviceUrl,
} from '../src/config.js';
import { renderTable } from '../src/table.js';

describe('stack configuration', () => {
  it('uses the documented defaults', () => {
    const config = loadStackConfig({});
    expect(kafkaBrokers(config)).toBe('127.0.0.1:9092');
    expect(registryUrl(config)).toBe('http://127.0.0.1:8081/apis/ccompat/v7');
    expect(config.stackDir.endsWith('.stack')).toBe(true);
  });

  it('takes ports from the environment and rejects values that are not ports', () => {
    expect(loadStackConfig({ KAFKA_PORT: '19092' }).kafkaPort).toBe(19092);
    expect(() => loadStackConfig({ SCHEMA_REGISTRY_PORT: 'eighty' })).toThrow(
      /SCHEMA_REGISTRY_PORT=eighty is not a TCP port/,
    );
    expect(() => loadStackConfig({ KAFKA_PORT: '70000' })).toThrow(/KAFKA_PORT/);
  });

  it('runs services from their build unless SERVICE_RUNTIME=source, and refuses anything else', () => {
    expect(loadStackConfig({}).serviceRuntime).toBe('dist');
    expect(loadStackConfig({ SERVICE_RUNTIME: 'source' }).serviceRuntime).toBe('source');
    expect(() => loadStackConfig({ SERVICE_RUNTIME: 'build' })).toThrow(
      /SERVICE_RUNTIME=build must be one of: source, dist/,
    );
  });
});

describe('a second stack beside the first', () => {
  it('keeps the catalogue ports and database names by default', () => {
    const config = loadStackConfig({});
    expect(serviceUrl(config, 'order-service')).toBe('http://127.0.0.1:3000');
    expect(serviceDatabaseName(config, 'payment-service')).toBe('orderflow_payments');
  });

  it('moves every service port by SERVICE_PORT_OFFSET and prefixes every database name', () => {
    const config = loadStackConfig({
      SERVICE_PORT_OFFSET: '10000',
      DATABASE_NAME_PREFIX: 'chaos_',
    });
    expect(serviceUrl(config, 'order-service')).toBe('http://127.0.0.1:13000');
    expect(serviceUrl(config, 'order-saga')).toBe('http://127.0.0.1:13004');
    expect(serviceDatabaseName(config, 'payment-service')).toBe('chaos_orderflow_payments');
  });

  it('refuses an offset that leaves the port range and a prefix that is not a plain identifier', () => {
    expect(() => loadStackConfig({ SERVICE_PORT_OFFSET: '63000' })).toThrow(/SERVICE_PORT_OFFSET/);
    expect(() => loadStackConfig({ SERVICE_PORT_OFFSET: '1.5' })).toThrow(/SERVICE_PORT_OFFSET/);
    expect(() => loadStackConfig({ DATABASE_NAME_PREFIX: 'x"; DROP' })).toThrow(
      /DATABASE_NAME_PREFIX/,
    );
  });
});

describe('summary table', () => {
  it('shows every row under upper-case headers', () => {
    const text = renderTable([
      { component: 'kafka', state: 'ready' },
      { component: 'registry', state: 'stopped' },
    ]);
    const lines = text.split('\n');
    expect(lines.find((l) => l.includes('COMPONENT'))).toMatch(/COMPONENT\s*│\s*STATE/);
    expect(lines.find((l) => l.includes('registry'))).toMatch(/registry\s*│\s*stopped/);
    expect(renderTable([])).toBe('');
  });
});
