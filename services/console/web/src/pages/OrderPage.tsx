import { useEffect, useState } from 'preact/hooks';
import { getJson, money, when } from '../api.js';
import type { OrderDetail } from '../types.js';
import { usePoll } from '../use-poll.js';
import { TimelineChart } from './TimelineChart.js';

/** One order: its saga as a timeline, lines, payment, shipment, cancellation; updated live. */
const SETTLED = new Set(['COMPLETED', 'CANCELLED', 'FAILED_NEEDS_ATTENTION']);

export function OrderPage({ orderId, traceId }: { orderId: string; traceId: string | null }) {
  const path = `/api/orders/${encodeURIComponent(orderId)}`;
  const [detail, setDetail] = useState<OrderDetail | null>(null);
  const [error, setError] = useState<string | null>(null);
  const config = usePoll(() => getJson<{ zipkinUrl: string }>('/api/config'), 0);

  useEffect(() => {
    let alive = true;
    const load = () =>
      getJson<OrderDetail>(path).then(
        (d) => alive && (setDetail(d), setError(null)),
        (e: unknown) => alive && setError((e as Error).message),
      );
    void load();
    // order-service's stream says when the order moves; a late saga change after the order is
    // final (a compensation confirmed) is caught by the slower poll below.
    const source = new EventSource(`${path}/events`);
    source.onmessage = () => void load();
    for (const type of [
      'OrderPlaced',
      'StepRecorded',
      'OrderCompleted',
      'OrderCancelled',
      'OrderParked',
      'end',
    ]) {
      source.addEventListener(type, () => void load());
    }
    source.addEventListener('end', () => source.close());
    const poll = setInterval(() => void load(), 3_000);
    return () => {
      alive = false;
      source.close();
      clearInterval(poll);
    };
  }, [path]);

  if (error && !detail)
    return (
      <p role="alert">
        Could not load order {orderId}: {error}
      </p>
    );
  if (!detail) return <p>Loading order {orderId}…</p>;
  const { order, saga, payment, shipment } = detail;
  const running = !SETTLED.has(order.status) || (saga !== null && !SETTLED.has(saga.status));
  return (
    <section aria-labelledby="order-title">
      <h1 id="order-title">Order {order.orderId}</h1>
      <dl class="facts">
        <dt>Status</dt>
        <dd>
          <span class={`status status-${order.status}`} data-testid="order-status">
            {order.status}
          </span>
        </dd>
        <dt>Saga</dt>
        <dd data-testid="saga-status">{saga?.status ?? 'not started'}</dd>
        <dt>Customer</dt>
        <dd>{order.customerId}</dd>
        <dt>Placed</dt>
        <dd>{when(order.placedAt)}</dd>
        <dt>Total</dt>
        <dd>{order.total ? money(order.total.amountMinor, order.total.currency) : '—'}</dd>
        <dt>Trace</dt>
        <dd>
          {traceId && config.value ? (
            <a
              href={`${config.value.zipkinUrl}/traces/${traceId}`}
              target="_blank"
              rel="noreferrer"
            >
              {traceId}
            </a>
          ) : (
            'known only for orders placed from this console (order-service and the saga expose no trace id)'
          )}
        </dd>
      </dl>
      {order.cancellation && (
        <p class="callout" data-testid="cancellation">
          Cancelled: <strong>{order.cancellation.reason}</strong>
          {order.cancellation.failedStep ? ` at ${order.cancellation.failedStep}` : ''}
          {order.cancellation.detail ? ` — ${order.cancellation.detail}` : ''}
        </p>
      )}
      {order.parking && (
        <p class="callout">
          Parked{order.parking.step ? ` at ${order.parking.step}` : ''}: {order.parking.reason}
        </p>
      )}
      <h2>Saga</h2>
      {saga ? <TimelineChart log={saga.log} running={running} /> : <p>No saga yet.</p>}
      <h2>Lines</h2>
      <table>
        <thead>
          <tr>
            <th scope="col">SKU</th>
            <th scope="col">Quantity</th>
            <th scope="col">Unit price</th>
            <th scope="col">Line</th>
          </tr>
        </thead>
        <tbody>
          {order.pricedLines
            ? order.pricedLines.map((line) => (
                <tr key={line.sku}>
                  <td>{line.sku}</td>
                  <td>{line.quantity}</td>
                  <td>{money(line.unitAmountMinor, order.total?.currency ?? null)}</td>
                  <td>{money(line.lineAmountMinor, order.total?.currency ?? null)}</td>
                </tr>
              ))
            : order.lines.map((line) => (
                <tr key={line.sku}>
                  <td>{line.sku}</td>
                  <td>{line.quantity}</td>
                  <td>not priced</td>
                  <td>—</td>
                </tr>
              ))}
        </tbody>
      </table>
      <h2>Payment</h2>
      <p data-testid="payment">
        {payment
          ? `${payment.status}${payment.payment ? `, ${money(payment.payment.amountMinor, payment.payment.currency)}` : ''}${payment.payment?.declineReason ? ` (${payment.payment.declineReason})` : ''}${payment.refund ? `; refunded ${money(payment.refund.amountMinor, payment.refund.currency)}` : ''}`
          : 'No payment recorded.'}
      </p>
      <h2>Shipment</h2>
      <p data-testid="shipment">
        {shipment
          ? `${shipment.status}${shipment.carrier ? ` with ${shipment.carrier}` : ''}${shipment.trackingNumber ? `, tracking ${shipment.trackingNumber}` : ''}`
          : 'No shipment recorded.'}
      </p>
      <h2>Step log</h2>
      <table data-testid="step-log">
        <thead>
          <tr>
            <th scope="col">At</th>
            <th scope="col">Step</th>
            <th scope="col">Status</th>
            <th scope="col">Detail</th>
          </tr>
        </thead>
        <tbody>
          {(saga?.log ?? []).map((e, i) => (
            <tr key={i}>
              <td>{when(e.at)}</td>
              <td>{e.step}</td>
              <td>{e.status}</td>
              <td>{e.detail ?? ''}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </section>
  );
}
