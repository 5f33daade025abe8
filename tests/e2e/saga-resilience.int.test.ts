import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { dlqTopic } from '@orderflow/contracts';
import { crash, loadStackConfig, startComponent } from '@orderflow/infra';
import { createKafka, silentLogger } from '@orderflow/messaging';
import { readDlq, replayDlq } from '@orderflow/messaging/dlq';
import { eventually, testEnvironment } from '@orderflow/testkit';
import { getJson, orderRequest, placeOrder, type OrderView } from './platform.js';

/**
 * Faults must not cost orders (order-saga's step retry policy and payment voids): a payment
 * service killed with orders waiting on it, a gateway failing again and again, a charge replayed
 * from the DLQ after the saga gave up. Against the running stack with its default policy
 * (payment given up after 90 s): the last test's order is placed before the others run.
 */
interface CancelledView extends OrderView {
  cancellation: {
    reason: string;
    failedStep: string | null;
    chargedMinor: number;
    refundedMinor: number;
  } | null;
  steps: { step: string; status: string; detail: string | null }[];
}

interface PaymentView {
  status: string;
  payment: { amountMinor: number } | null;
  refund: { amountMinor: number } | null;
}

interface SagaView {
  status: string;
  steps: Record<string, string>;
}

const stack = loadStackConfig();
const kafka = createKafka({
  brokers: testEnvironment().kafkaBrokers.split(','),
  clientId: 'e2e-saga-resilience',
  logger: silentLogger,
});

async function final(orderId: string, timeoutMs: number): Promise<CancelledView> {
  return eventually(
    `order ${orderId} to reach a final status`,
    async () => {
      const { body } = await getJson<CancelledView>('order-service', `/orders/${orderId}`);
      if (body.status === 'PENDING') throw new Error('still PENDING');
      return body;
    },
    { timeoutMs, intervalMs: 250 },
  );
}

const payment = async (orderId: string) =>
  (await getJson<PaymentView>('payment-service', `/payments/${orderId}`)).body;

// Placed first, so its 90 s wait for the payment deadline runs alongside the other tests.
let givenUp: Promise<{ body: { orderId: string } }>;
beforeAll(() => {
  givenUp = placeOrder(orderRequest({ payment: { token: 'tok_transient_99' } }));
});

afterAll(async () => {
  // A failed restart must not leave the shared stack without its payment service.
  if (!(await getJson('payment-service', '/health/ready').catch(() => undefined)))
    await startComponent(stack, 'payment-service', { timeoutMs: 60_000 });
});

describe('a saga that rides out faults, end to end', () => {
  it('completes tok_transient_N for every N the README documents (1–9)', async () => {
    const placed = await Promise.all(
      Array.from({ length: 9 }, (_, i) =>
        placeOrder(orderRequest({ payment: { token: `tok_transient_${i + 1}` } })),
      ),
    );
    const orders = await Promise.all(placed.map((p) => final(p.body.orderId, 90_000)));
    expect(orders.map((o) => o.status)).toEqual(Array(9).fill('COMPLETED'));
  });

  it('SIGKILL payment-service with 10 orders waiting on payment, restart it: all 10 COMPLETED, none refunded', async () => {
    const placed = await Promise.all(
      Array.from({ length: 10 }, () =>
        placeOrder(orderRequest({ payment: { token: 'tok_slow_6000' } })),
      ),
    );
    const ids = placed.map((p) => p.body.orderId);
    await eventually(
      'all 10 sagas waiting on PROCESS_PAYMENT',
      async () => {
        const sagas = await Promise.all(
          ids.map(async (id) => (await getJson<SagaView>('order-saga', `/sagas/${id}`)).body),
        );
        const waiting = sagas.filter((s) => s.steps.PROCESS_PAYMENT === 'STARTED').length;
        if (waiting < 10) throw new Error(`${waiting} of 10 waiting on payment`);
      },
      { timeoutMs: 30_000, intervalMs: 100 },
    );

    const killedAt = Date.now();
    expect(await crash(stack, 'payment-service')).toBeDefined();
    await startComponent(stack, 'payment-service', { timeoutMs: 60_000 });
    const readyMs = Date.now() - killedAt;

    const orders = await Promise.all(ids.map((id) => final(id, 120_000)));
    expect(orders.map((o) => o.status)).toEqual(Array(10).fill('COMPLETED'));
    const payments = await Promise.all(ids.map(payment));
    expect(payments.map((p) => [p.status, p.refund])).toEqual(Array(10).fill(['CAPTURED', null]));
    // A figure, not a gate (benchmarks gate nothing on time): what a restart cost these orders.
    process.stdout.write(`payment-service SIGKILL → ready again: ${readyMs} ms\n`);
  }, 240_000);

  it('voids a payment given up at its deadline; a charge replayed from the DLQ afterwards is refused and shows in the history', async () => {
    // The simulated gateway fails 99 times for this order: every send is dead-lettered after its
    // in-process retries, the saga re-sends until its 90 s deadline, then voids the payment.
    const { orderId } = (await givenUp).body;
    const cancelled = await final(orderId, 150_000);
    expect(cancelled.status).toBe('CANCELLED');
    expect(cancelled.cancellation).toMatchObject({
      reason: 'STEP_TIMEOUT',
      failedStep: 'PROCESS_PAYMENT',
      chargedMinor: 0,
      refundedMinor: 0,
    });
    expect(await payment(orderId)).toMatchObject({ status: 'NOT_CHARGED', payment: null });

    const dead = await readDlq(kafka, dlqTopic('payments.commands', 'payment-service'), {
      key: orderId,
    });
    expect(dead.length).toBeGreaterThan(0);
    expect(new Set(dead.map((r) => r.type))).toEqual(new Set(['saga.ProcessPayment']));
    await replayDlq(kafka, dead.slice(0, 1), { replayedBy: 'e2e saga-resilience' });

    const after = await eventually(
      `the refused replay in the history of ${orderId}`,
      async () => {
        const { body } = await getJson<CancelledView>('order-service', `/orders/${orderId}`);
        const refused = body.steps.find((s) => s.detail?.includes('PAYMENT_VOIDED'));
        if (!refused) throw new Error(JSON.stringify(body.steps.slice(-3)));
        return { body, refused };
      },
      { timeoutMs: 30_000, intervalMs: 250 },
    );
    expect(after.refused).toMatchObject({ step: 'PROCESS_PAYMENT', status: 'FAILED' });
    expect(after.body.status).toBe('CANCELLED');
    expect(await payment(orderId)).toMatchObject({ status: 'NOT_CHARGED', payment: null });
  }, 240_000);
});
