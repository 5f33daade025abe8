import { describe, expect, it } from '@jest/globals';
import { classifyError } from '@orderflow/messaging';
import { GatewayError } from '../../src/gateway/payment-gateway.js';

// The gateway's errors carry their own policy; the messaging runtime reads it as it is.
describe('gateway errors under the messaging error policy', () => {
  it('a transient gateway failure is retried, under its own code', () => {
    expect(classifyError(new GatewayError('GATEWAY_UNAVAILABLE', 'down'))).toMatchObject({
      code: 'GATEWAY_UNAVAILABLE',
      retryable: true,
      errorClass: 'GatewayError',
    });
    expect(classifyError(new GatewayError('GATEWAY_TIMEOUT', 'slow'))).toMatchObject({
      code: 'GATEWAY_TIMEOUT',
      retryable: true,
    });
  });

  it('a request the gateway refuses is not retried', () => {
    expect(classifyError(new GatewayError('GATEWAY_REQUEST_REJECTED', 'bad key'))).toMatchObject({
      code: 'GATEWAY_REQUEST_REJECTED',
      retryable: false,
    });
  });

  it('any other error stays a retryable handler failure', () => {
    expect(classifyError(new TypeError('boom'))).toMatchObject({
      code: 'HANDLER_FAILED',
      retryable: true,
    });
  });
});
