import { useState } from 'preact/hooks';
import { call, getJson, when } from '../api.js';
import type { Saga } from '../types.js';
import { usePoll } from '../use-poll.js';

/** Parked sagas (FAILED_NEEDS_ATTENTION) with their error, and a resume action for each. */
interface Parked {
  orderId: string;
  customerId: string;
  updatedAt: string;
  parking: { step: string | null; reason: string } | null;
  saga: Saga | null;
}

export function Attention() {
  const list = usePoll(() => getJson<{ items: Parked[] }>('/api/attention'), 5_000);
  const [outcome, setOutcome] = useState<{ ok: boolean; text: string } | null>(null);

  async function resume(orderId: string) {
    try {
      const { body } = await call<Saga>(`/api/sagas/${encodeURIComponent(orderId)}/resume`, {
        method: 'POST',
      });
      setOutcome({ ok: true, text: `Resumed ${orderId}: the saga is ${body.status}` });
    } catch (error) {
      setOutcome({ ok: false, text: `Resume of ${orderId} refused: ${(error as Error).message}` });
    }
    list.reload();
  }

  const items = list.value?.items ?? [];
  return (
    <section aria-labelledby="attention-title">
      <h1 id="attention-title">Needs attention</h1>
      <p>
        Sagas parked because a compensation was never confirmed. Resume re-sends it with a fresh
        budget.
      </p>
      {outcome && (
        <p role="status" class={outcome.ok ? 'ok-text' : 'bad-text'} data-testid="resume-outcome">
          {outcome.text}
        </p>
      )}
      {list.error && <p role="alert">Could not load parked sagas: {list.error}</p>}
      <table>
        <thead>
          <tr>
            <th scope="col">Order</th>
            <th scope="col">Parked at</th>
            <th scope="col">Why</th>
            <th scope="col">First failure</th>
            <th scope="col">Since</th>
            <th scope="col">Action</th>
          </tr>
        </thead>
        <tbody>
          {items.map((p) => (
            <tr key={p.orderId} data-order-id={p.orderId}>
              <td>
                <a href={`#/orders/${p.orderId}`}>{p.orderId}</a>
              </td>
              <td>{p.parking?.step ?? '—'}</td>
              <td>{p.parking?.reason ?? '—'}</td>
              <td>
                {p.saga?.failure
                  ? `${p.saga.failure.reason} at ${p.saga.failure.step}: ${p.saga.failure.detail}`
                  : '—'}
              </td>
              <td>{when(p.updatedAt)}</td>
              <td>
                <button
                  type="button"
                  onClick={() => void resume(p.orderId)}
                  aria-label={`Resume saga of order ${p.orderId}`}
                >
                  Resume
                </button>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      {list.value && items.length === 0 && <p>Nothing is parked.</p>}
    </section>
  );
}
