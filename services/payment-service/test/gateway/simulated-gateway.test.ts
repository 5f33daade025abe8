import { describe, expect, it } from '@jest/globals';
import { GatewayError } from '../../src/gateway/payment-gateway.js';
import { SimulatedGateway, simulatedBehaviour } from '../../src/gateway/simulated-gateway.js';

function request(orderId: string, token: string) {
  return {
    orderId,
    amountMinor: 1000,
    currency: 'EUR',
    token,
    idempotencyKey: `charge:${orderId}`,
  };
}

function gateway(delays: number[] = []) {
  let n = 0;
  return new SimulatedGateway({
    maxDelayMs: 5_000,
    delay: (ms) => {
      delays.push(ms);
      return Promise.resolve();
    },
    newRef: (prefix) => `${prefix}_${++n}`,
  });
}

describe('simulatedBehaviour', () => {
  it('reads the behaviour from the token', () => {
    expect(simulatedBehaviour('tok_approve')).toEqual({ kind: 'approve' });
    expect(simulatedBehaviour('anything')).toEqual({ kind: 'approve' });
    expect(simulatedBehaviour('tok_decline_insufficient_funds')).toEqual({
      kind: 'decline',
      reason: 'INSUFFICIENT_FUNDS',
    });
    expect(simulatedBehaviour('tok_transient_3')).toEqual({ kind: 'transient', failures: 3 });
    expect(simulatedBehaviour('tok_slow_250')).toEqual({ kind: 'slow', delayMs: 250 });
    expect(simulatedBehaviour('tok_refund_refused_5')).toEqual({
      kind: 'refund_refused',
      refusals: 5,
    });
  });
});

describe('SimulatedGateway.charge', () => {
  it('approves with a gateway reference', async () => {
    await expect(gateway().charge(request('o-1', 'tok_approve'))).resolves.toEqual({
      kind: 'captured',
      gatewayRef: 'sim_ch_1',
    });
  });

  it('declines for insufficient funds', async () => {
    await expect(
      gateway().charge(request('o-1', 'tok_decline_insufficient_funds')),
    ).resolves.toEqual({ kind: 'declined', reason: 'INSUFFICIENT_FUNDS' });
  });

  it('fails transiently N times per order with a retryable error, then approves', async () => {
    const sim = gateway();
    for (let i = 0; i < 2; i += 1) {
      const failure = await sim.charge(request('o-1', 'tok_transient_2')).catch((e: unknown) => e);
      expect(failure).toBeInstanceOf(GatewayError);
      expect(failure).toMatchObject({ code: 'GATEWAY_UNAVAILABLE', retryable: true });
    }
    // Another order has its own count.
    await expect(sim.charge(request('o-2', 'tok_transient_2'))).rejects.toBeInstanceOf(
      GatewayError,
    );
    await expect(sim.charge(request('o-1', 'tok_transient_2'))).resolves.toMatchObject({
      kind: 'captured',
    });
  });

  it('answers slowly, capped at the configured maximum', async () => {
    const delays: number[] = [];
    const sim = gateway(delays);
    await expect(sim.charge(request('o-1', 'tok_slow_300'))).resolves.toMatchObject({
      kind: 'captured',
    });
    await sim.charge(request('o-2', 'tok_slow_999999'));
    expect(delays).toEqual([300, 5_000]);
  });

  it('returns the original result for a repeated idempotency key, as a provider does', async () => {
    const sim = gateway();
    const first = await sim.charge(request('o-1', 'tok_approve'));
    expect(await sim.charge(request('o-1', 'tok_approve'))).toEqual(first);
    const refund = { orderId: 'o-1', gatewayRef: 'sim_ch_1', amountMinor: 1000, currency: 'EUR' };
    const r1 = await sim.refund({ ...refund, idempotencyKey: 'refund:o-1' });
    expect(await sim.refund({ ...refund, idempotencyKey: 'refund:o-1' })).toEqual(r1);
    expect(r1.gatewayRef).toMatch(/^sim_re_/);
  });
});

describe('SimulatedGateway.refund', () => {
  const refundOf = (orderId: string, gatewayRef: string) => ({
    orderId,
    gatewayRef,
    amountMinor: 1000,
    currency: 'EUR',
    idempotencyKey: `refund:${orderId}`,
  });

  it('refuses the first N refunds of a tok_refund_refused_<N> capture for good, then refunds', async () => {
    const sim = gateway();
    const charged = await sim.charge(request('o-1', 'tok_refund_refused_2'));
    expect(charged).toEqual({ kind: 'captured', gatewayRef: 'sim_ch_1' });
    for (let i = 0; i < 2; i += 1) {
      const failure = await sim.refund(refundOf('o-1', 'sim_ch_1')).catch((e: unknown) => e);
      expect(failure).toBeInstanceOf(GatewayError);
      // Not retryable: each RefundPayment costs one gateway call and is dead-lettered at once.
      expect(failure).toMatchObject({ code: 'GATEWAY_REQUEST_REJECTED', retryable: false });
    }
    const refunded = await sim.refund(refundOf('o-1', 'sim_ch_1'));
    expect(refunded.gatewayRef).toMatch(/^sim_re_/);
    // Settled: a repeat of the key answers with that refund, not a new refusal.
    expect(await sim.refund(refundOf('o-1', 'sim_ch_1'))).toEqual(refunded);
  });

  it('refunds at once a capture made with another token, or one it never saw', async () => {
    const sim = gateway();
    await sim.charge(request('o-1', 'tok_refund_refused_2'));
    await sim.charge(request('o-2', 'tok_approve'));
    await expect(sim.refund(refundOf('o-2', 'sim_ch_2'))).resolves.toMatchObject({
      gatewayRef: expect.stringMatching(/^sim_re_/) as unknown,
    });
    // A reference the simulator never captured (e.g. from before a restart) is refunded too.
    await expect(sim.refund(refundOf('o-3', 'sim_ch_unknown'))).resolves.toMatchObject({
      gatewayRef: expect.stringMatching(/^sim_re_/) as unknown,
    });
  });
});

describe('SimulatedGateway.cancelCharge', () => {
  it('reports a capture made under the key, so the caller refunds it', async () => {
    const gw = gateway();
    await gw.charge(request('o-1', 'tok_approve'));
    expect(await gw.cancelCharge('charge:o-1')).toEqual({
      kind: 'captured',
      gatewayRef: 'sim_ch_1',
    });
  });

  it('cancels a key never charged: a later charge with it captures nothing', async () => {
    const gw = gateway();
    expect(await gw.cancelCharge('charge:o-2')).toEqual({ kind: 'cancelled' });
    expect(await gw.charge(request('o-2', 'tok_approve'))).toEqual({
      kind: 'declined',
      reason: 'PAYMENT_VOIDED',
    });
    expect(await gw.cancelCharge('charge:o-2')).toEqual({ kind: 'cancelled' });
  });

  it('wins over a charge still in flight (a slow one whose caller timed out)', async () => {
    let release: () => void = () => undefined;
    const gw = new SimulatedGateway({
      delay: () => new Promise<void>((resolve) => (release = resolve)),
    });
    const inFlight = gw.charge(request('o-3', 'tok_slow_20000'));
    expect(await gw.cancelCharge('charge:o-3')).toEqual({ kind: 'cancelled' });
    release();
    expect(await inFlight).toEqual({ kind: 'declined', reason: 'PAYMENT_VOIDED' });
    expect(await gw.cancelCharge('charge:o-3')).toEqual({ kind: 'cancelled' });
  });
});
