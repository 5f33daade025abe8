import { describe, expect, it } from '@jest/globals';
import {
  mapEnvironment,
  UnmappedReferenceError,
  type ComposeMapping,
} from '../src/compose-check/env-mapping.js';

const mapping: ComposeMapping = {
  composeServices: ['kafka', 'schema-registry', 'postgres', 'jaeger', 'kafka-ui', 'order-service'],
  addresses: new Map([
    ['kafka:29092', { host: '127.0.0.1', port: 39092 }],
    ['schema-registry:8080', { host: '127.0.0.1', port: 38081 }],
    ['postgres:5432', { host: '127.0.0.1', port: 5433 }],
    ['jaeger:4318', { host: '127.0.0.1', port: 45123 }],
  ]),
  postgres: {
    service: 'postgres',
    username: 'postgres',
    password: '',
    databasePrefix: 'cc_',
    adminDatabase: 'postgres',
  },
  mounts: new Map([['/run/orderflow/auth/public-key.pem', '/work/.stack/auth/dev-public-key.pem']]),
  portVariable: 'PORT',
  portOffset: 30000,
};

describe('mapEnvironment: a compose environment pointed at the launcher’s stack', () => {
  it('maps the order-service environment of docker-compose.yml', () => {
    const { env, rewrites } = mapEnvironment(
      {
        KAFKA_BROKERS: 'kafka:29092',
        SCHEMA_REGISTRY_URL: 'http://schema-registry:8080/apis/ccompat/v7',
        OTEL_EXPORTER_OTLP_ENDPOINT: 'http://jaeger:4318',
        AUTH_PUBLIC_KEY_FILE: '/run/orderflow/auth/public-key.pem',
        AUTH_ISSUER: 'urn:orderflow:local-stack',
        PORT: '3000',
        DATABASE_URL: 'postgres://postgres:postgres@postgres:5432/orderflow_orders',
      },
      mapping,
    );
    expect(env).toEqual({
      KAFKA_BROKERS: '127.0.0.1:39092',
      SCHEMA_REGISTRY_URL: 'http://127.0.0.1:38081/apis/ccompat/v7',
      // No trailing slash appears: the OTLP exporter appends /v1/traces to the value as given.
      OTEL_EXPORTER_OTLP_ENDPOINT: 'http://127.0.0.1:45123',
      AUTH_PUBLIC_KEY_FILE: '/work/.stack/auth/dev-public-key.pem',
      AUTH_ISSUER: 'urn:orderflow:local-stack',
      PORT: '33000',
      // The launcher's credentials (none but the user here) and its database prefix.
      DATABASE_URL: 'postgres://postgres@127.0.0.1:5433/cc_orderflow_orders',
    });
    expect(rewrites.map((r) => r.name)).not.toContain('AUTH_ISSUER');
    expect(rewrites).toHaveLength(6);
  });

  it('never prefixes the admin database a one-shot creates the others from', () => {
    const { env } = mapEnvironment(
      { DATABASE_URL: 'postgres://postgres:postgres@postgres:5432/postgres?sslmode=disable' },
      mapping,
    );
    expect(env.DATABASE_URL).toBe('postgres://postgres@127.0.0.1:5433/postgres?sslmode=disable');
  });

  it('keeps the launcher’s password, encoded', () => {
    const { env } = mapEnvironment(
      { DATABASE_URL: 'postgres://app:x@postgres:5432/orderflow_saga' },
      { ...mapping, postgres: { ...mapping.postgres!, username: 'ops', password: 'p@ss' } },
    );
    expect(env.DATABASE_URL).toBe('postgres://ops:p%40ss@127.0.0.1:5433/cc_orderflow_saga');
  });

  it('maps every broker of a list, and leaves hosts that are not compose services alone', () => {
    const { env } = mapEnvironment(
      { KAFKA_BROKERS: 'kafka:29092, broker.example.com:9092' },
      mapping,
    );
    expect(env.KAFKA_BROKERS).toBe('127.0.0.1:39092,broker.example.com:9092');
  });

  it('refuses a compose endpoint it has no stand-in for, naming the variable', () => {
    expect(() => mapEnvironment({ UI_URL: 'http://kafka-ui:8080' }, mapping)).toThrow(
      UnmappedReferenceError,
    );
    expect(() => mapEnvironment({ KAFKA_BROKERS: 'kafka:9092' }, mapping)).toThrow(
      /KAFKA_BROKERS names kafka:9092/,
    );
    // Inside a longer value, where no rule rewrites it, it is caught as well.
    expect(() => mapEnvironment({ JAVA_OPTS: '-Dbroker=kafka:29092' }, mapping)).toThrow(
      /JAVA_OPTS names kafka:29092/,
    );
  });

  it('moves only the port variable, and names nothing else that looks like a number', () => {
    const { env } = mapEnvironment({ PORT: '3004', RATE_LIMIT_MAX: '3004' }, mapping);
    expect(env).toEqual({ PORT: '33004', RATE_LIMIT_MAX: '3004' });
  });

  it('maps paths under a mount target', () => {
    const { env } = mapEnvironment(
      { KEYS: '/run/orderflow/auth/public-key.pem/extra', OTHER: '/run/orderflow/auth' },
      mapping,
    );
    expect(env).toEqual({
      KEYS: '/work/.stack/auth/dev-public-key.pem/extra',
      OTHER: '/run/orderflow/auth',
    });
  });
});
