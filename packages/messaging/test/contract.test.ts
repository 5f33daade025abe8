import { describe, expect, it } from '@jest/globals';
import { messageSpec } from '@orderflow/contracts';
import { assertFromEmitter, fromSpec } from '../src/contract.js';
import { MessagingError } from '../src/errors.js';

describe('assertFromEmitter', () => {
  const schedule = fromSpec(messageSpec('saga.ScheduleShipment'));

  it('accepts a type from an emitter the manifest allows', () => {
    expect(() => assertFromEmitter(schedule, '/services/order-saga')).not.toThrow();
  });

  it.each(['/services/payment-service', 'order-saga', '/services/order-saga/', ''])(
    'refuses it from %j with FORBIDDEN_SOURCE, naming who may emit it',
    (source) => {
      let caught: unknown;
      try {
        assertFromEmitter(schedule, source);
      } catch (error) {
        caught = error;
      }
      expect(caught).toBeInstanceOf(MessagingError);
      expect(caught).toMatchObject({ code: 'FORBIDDEN_SOURCE', retryable: false });
      expect((caught as Error).message).toContain('only /services/order-saga may emit it');
    },
  );
});
