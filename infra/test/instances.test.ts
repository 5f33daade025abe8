import { describe, expect, it } from '@jest/globals';
import { SERVICE_NAMES } from '@orderflow/contracts';
import { loadStackConfig, servicePort, serviceUrl } from '../src/config.js';
import { MAX_INSTANCES, parseInstance, planInstances, serviceInstance } from '../src/instances.js';

describe('several instances per service', () => {
  it('runs one instance of each service unless STACK_INSTANCES says more', () => {
    expect(loadStackConfig({}).serviceInstances).toBe(1);
    expect(loadStackConfig({ STACK_INSTANCES: '3' }).serviceInstances).toBe(3);
  });

  it('refuses an instance count that is not a whole number from 1 to the maximum', () => {
    for (const raw of ['0', '-1', '2.5', 'two', String(MAX_INSTANCES + 1)]) {
      expect(() => loadStackConfig({ STACK_INSTANCES: raw })).toThrow(
        new RegExp(`STACK_INSTANCES=${raw} \\(or --instances\\) must be a whole number`),
      );
    }
  });

  it('refuses instances whose ports would pass 65535', () => {
    // 3004 + 62000 = 65004; instance 7 adds 600: 65604.
    expect(loadStackConfig({ SERVICE_PORT_OFFSET: '62000', STACK_INSTANCES: '6' })).toBeTruthy();
    expect(() => loadStackConfig({ SERVICE_PORT_OFFSET: '62000', STACK_INSTANCES: '7' })).toThrow(
      /instance 7 of a service on port 65604, past 65535/,
    );
  });

  it('puts instance i on the service port + 100 × (i − 1), after SERVICE_PORT_OFFSET', () => {
    const shared = loadStackConfig({ STACK_INSTANCES: '2' });
    expect(serviceUrl(shared, 'order-service')).toBe('http://127.0.0.1:3000');
    expect(serviceUrl(shared, 'order-service', 2)).toBe('http://127.0.0.1:3100');
    expect(servicePort(shared, 'order-saga', 3)).toBe(3204);
    const chaos = loadStackConfig({ SERVICE_PORT_OFFSET: '10000' });
    expect(servicePort(chaos, 'payment-service', 2)).toBe(13102);
  });

  it('gives every instance of every service its own port', () => {
    const config = loadStackConfig({ STACK_INSTANCES: String(MAX_INSTANCES) });
    const ports = planInstances(MAX_INSTANCES).map((i) => servicePort(config, i.service, i.index));
    expect(new Set(ports).size).toBe(SERVICE_NAMES.length * MAX_INSTANCES);
  });

  it('starts instance 1 of every service before any second instance', () => {
    const plan = planInstances(2, ['order-service', 'order-saga']).map((i) => i.component);
    expect(plan).toEqual(['order-service', 'order-saga', 'order-service@2', 'order-saga@2']);
    expect(planInstances(1).map((i) => i.component)).toEqual(SERVICE_NAMES);
  });

  it('names instance 1 as the service itself and reads the names back', () => {
    expect(serviceInstance('order-saga').component).toBe('order-saga');
    for (const instance of planInstances(MAX_INSTANCES)) {
      expect(parseInstance(instance.component)).toEqual(instance);
    }
  });

  it('reads no instance out of names the launcher never gives', () => {
    for (const name of [
      'kafka',
      'registry',
      'order-service@1',
      'order-service@0',
      `order-service@${MAX_INSTANCES + 1}`,
      'order-service@',
      'order-service@2x',
      'billing-service@2',
    ]) {
      expect(parseInstance(name)).toBeUndefined();
    }
    expect(() => serviceInstance('order-saga', 0)).toThrow(RangeError);
  });
});
