import { useState } from 'preact/hooks';
import { call, getJson, money } from '../api.js';
import { usePoll } from '../use-poll.js';

/** A demo form: the seeded catalogue, a payment token chosen by outcome, a shipping address. */
interface Item {
  sku: string;
  name: string;
  priceMinor: number;
  currency: string;
  available: number;
}

const TOKENS = [
  ['tok_approve', 'approves'],
  ['tok_decline_insufficient_funds', 'declines: insufficient funds'],
  ['tok_decline_card', 'declines: card declined'],
  ['tok_transient_2', 'fails twice, then approves'],
  ['tok_slow_2000', 'approves after 2 s'],
  ['tok_refund_refused_5', 'approves, refuses its refund 5 times'],
] as const;

export function PlaceOrder() {
  const catalogue = usePoll(() => getJson<{ items: Item[] }>('/api/catalogue'), 0);
  const [quantities, setQuantities] = useState<Record<string, number>>({});
  const [form, setForm] = useState({
    customerId: 'demo-customer',
    token: 'tok_approve',
    name: 'Ada Lovelace',
    line1: '1 Main St',
    city: 'Paris',
    postalCode: '75001',
    country: 'FR',
  });
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  async function submit() {
    const items = Object.entries(quantities)
      .filter(([, q]) => q > 0)
      .map(([sku, quantity]) => ({ sku, quantity }));
    if (items.length === 0) {
      setError('Choose a quantity of at least one item.');
      return;
    }
    setBusy(true);
    try {
      const { body, headers } = await call<{ orderId: string }>('/api/orders', {
        method: 'POST',
        headers: { 'idempotency-key': crypto.randomUUID() },
        body: JSON.stringify({
          customerId: form.customerId,
          items,
          payment: { token: form.token },
          shippingAddress: {
            name: form.name,
            line1: form.line1,
            city: form.city,
            postalCode: form.postalCode,
            country: form.country,
          },
        }),
      });
      const trace = headers.get('x-trace-id');
      location.hash = `#/orders/${body.orderId}${trace ? `?trace=${trace}` : ''}`;
    } catch (e) {
      setError((e as Error).message);
    } finally {
      setBusy(false);
    }
  }

  const text = (name: keyof typeof form, label: string, extra: Record<string, unknown> = {}) => (
    <label>
      {label}
      <input
        value={form[name]}
        required
        onInput={(e) => setForm({ ...form, [name]: e.currentTarget.value })}
        {...extra}
      />
    </label>
  );
  return (
    <section aria-labelledby="place-title">
      <h1 id="place-title">Place an order</h1>
      {catalogue.error && <p role="alert">Could not load the catalogue: {catalogue.error}</p>}
      <form class="stack" onSubmit={(e) => (e.preventDefault(), void submit())}>
        <fieldset>
          <legend>Items</legend>
          {(catalogue.value?.items ?? []).map((item) => (
            <label key={item.sku} class="item">
              <span>
                {item.name} ({item.sku}), {money(item.priceMinor, item.currency)}, {item.available}{' '}
                in stock
              </span>
              <input
                type="number"
                min={0}
                max={10000}
                value={quantities[item.sku] ?? 0}
                aria-label={`Quantity of ${item.sku}`}
                onInput={(e) =>
                  setQuantities({ ...quantities, [item.sku]: Number(e.currentTarget.value) || 0 })
                }
              />
            </label>
          ))}
        </fieldset>
        <fieldset>
          <legend>Customer and payment</legend>
          {text('customerId', 'Customer id', { maxLength: 128 })}
          <label>
            Payment token
            <select
              value={form.token}
              onChange={(e) => setForm({ ...form, token: e.currentTarget.value })}
            >
              {TOKENS.map(([token, what]) => (
                <option key={token} value={token}>{`${token} (${what})`}</option>
              ))}
            </select>
          </label>
        </fieldset>
        <fieldset>
          <legend>Shipping address</legend>
          {text('name', 'Name', { maxLength: 200 })}
          {text('line1', 'Street', { maxLength: 200 })}
          {text('city', 'City', { maxLength: 100 })}
          {text('postalCode', 'Postal code', { maxLength: 32 })}
          {text('country', 'Country (ISO code)', { pattern: '[A-Z]{2}', maxLength: 2 })}
        </fieldset>
        {error && <p role="alert">{error}</p>}
        <button type="submit" disabled={busy}>
          Place order
        </button>
      </form>
    </section>
  );
}
