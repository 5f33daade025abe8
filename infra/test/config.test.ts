import { describe, expect, it } from '@jest/globals';
import { kafkaBrokers, loadStackConfig, registryUrl } from '../src/config.js';
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
