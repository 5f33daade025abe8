import { useEffect, useState } from 'preact/hooks';
import { money, query, when } from '../api.js';
import type { OrderSummary } from '../types.js';

/** Orders, newest first, kept live by the console server's feed (SSE); filter by status and customer. */
const STATUSES = ['PENDING', 'COMPLETED', 'CANCELLED', 'FAILED_NEEDS_ATTENTION'];

export function Orders() {
  const [status, setStatus] = useState('');
  const [customer, setCustomer] = useState('');
  const [applied, setApplied] = useState({ status: '', customerId: '' });
  const [orders, setOrders] = useState<OrderSummary[]>([]);
  const [feed, setFeed] = useState<'connecting' | 'live' | 'stale'>('connecting');

  useEffect(() => {
    setFeed('connecting');
    const source = new EventSource(`/api/orders/feed${query(applied)}`);
    source.addEventListener('snapshot', (e) => {
      setOrders((JSON.parse((e as MessageEvent<string>).data) as { items: OrderSummary[] }).items);
      setFeed('live');
    });
    source.addEventListener('order', (e) => {
      const order = JSON.parse((e as MessageEvent<string>).data) as OrderSummary;
      setFeed('live');
      setOrders((list) =>
        [order, ...list.filter((o) => o.orderId !== order.orderId)]
          .sort((a, b) => b.createdAt.localeCompare(a.createdAt))
          .slice(0, 200),
      );
    });
    source.addEventListener('unavailable', () => setFeed('stale'));
    source.onerror = () => setFeed('stale');
    return () => source.close();
  }, [applied]);

  return (
    <section aria-labelledby="orders-title">
      <h1 id="orders-title">Orders</h1>
      <form
        class="filters"
        onSubmit={(e) => {
          e.preventDefault();
          setApplied({ status, customerId: customer.trim() });
        }}
      >
        <label>
          Status
          <select value={status} onChange={(e) => setStatus(e.currentTarget.value)}>
            <option value="">any</option>
            {STATUSES.map((s) => (
              <option key={s} value={s}>
                {s}
              </option>
            ))}
          </select>
        </label>
        <label>
          Customer
          <input
            value={customer}
            onInput={(e) => setCustomer(e.currentTarget.value)}
            maxLength={128}
          />
        </label>
        <button type="submit">Filter</button>
        <p class={`feed feed-${feed}`} role="status" data-testid="feed-state">
          {feed === 'live' ? 'Live' : feed === 'stale' ? 'Reconnecting…' : 'Connecting…'}
        </p>
      </form>
      <table>
        <caption class="sr-only">Orders, newest first</caption>
        <thead>
          <tr>
            <th scope="col">Order</th>
            <th scope="col">Customer</th>
            <th scope="col">Status</th>
            <th scope="col">Total</th>
            <th scope="col">Placed</th>
            <th scope="col">Updated</th>
          </tr>
        </thead>
        <tbody>
          {orders.map((o) => (
            <tr key={o.orderId} data-order-id={o.orderId}>
              <td>
                <a href={`#/orders/${o.orderId}`}>{o.orderId}</a>
              </td>
              <td>{o.customerId}</td>
              <td>
                <span class={`status status-${o.status}`} data-testid="order-status">
                  {o.status}
                </span>
              </td>
              <td>{money(o.totalMinor, o.currency)}</td>
              <td>{when(o.createdAt)}</td>
              <td>{when(o.updatedAt)}</td>
            </tr>
          ))}
        </tbody>
      </table>
      {orders.length === 0 && <p>No orders match.</p>}
    </section>
  );
}
