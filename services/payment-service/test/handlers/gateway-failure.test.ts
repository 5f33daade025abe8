import { describe, expect, it } from '@jest/globals';
import { classifyError } from '@orderflow/messaging';
import { GatewayError } from '../../src/gateway/payment-gateway.js';
import { gatewayFailure } from '../../src/handlers/commands.js';

describe('gatewayFailure', () => {
  it('makes a transient gateway failure retryable for the consumer, keeping the cause', () => {
    const cause = new GatewayError('GATEWAY_UNAVAILABLE', 'down');
    const mapped = gatewayFailure(cause);
    expect(classifyError(mapped)).toMatchObject({ code: 'TRANSIENT', retryable: true });
    expect((mapped as Error).cause).toBe(cause);
    expect(
      classifyError(gatewayFailure(new GatewayError('GATEWAY_TIMEOUT', 'slow'))),
    ).toMatchObject({ retryable: true });
  });

  it('sends a request the gateway refuses straight to the DLQ', () => {
    const mapped = gatewayFailure(new GatewayError('GATEWAY_REQUEST_REJECTED', 'bad key'));
    expect(classifyError(mapped)).toMatchObject({ code: 'HANDLER_REJECTED', retryable: false });
  });

  it('leaves other errors to the consumer as they are', () => {
    const bug = new TypeError('boom');
    expect(gatewayFailure(bug)).toBe(bug);
  });
});
