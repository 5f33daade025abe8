import { useEffect, useState } from 'preact/hooks';
import { call, getJson, query, when } from '../api.js';
import type { DlqRecordView } from '../types.js';
import { usePoll } from '../use-poll.js';

/** Dead letters per topic, filtered; each record decoded with its origin and error; replay. */
const OPERATOR_KEY = 'orderflow-console-operator';
const positionOf = (r: DlqRecordView) => `${r.dlqTopic} ${r.partition}:${r.offset}`;
const isoOf = (local: string) => (local ? new Date(local).toISOString() : undefined);

export function DeadLetters() {
  const topics = usePoll(
    () => getJson<{ items: { topic: string; count: number }[] }>('/api/dlq/topics'),
    10_000,
  );
  const [form, setForm] = useState({ topic: '', errorCode: '', orderId: '', since: '', until: '' });
  const [records, setRecords] = useState<DlqRecordView[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [selected, setSelected] = useState<Set<string>>(new Set());
  const [operator, setOperator] = useState(() => localStorage.getItem(OPERATOR_KEY) ?? '');
  const [outcome, setOutcome] = useState<{ ok: boolean; text: string } | null>(null);
  const [busy, setBusy] = useState(false);

  async function search() {
    setBusy(true);
    try {
      const q = { ...form, since: isoOf(form.since), until: isoOf(form.until) };
      setRecords((await getJson<{ items: DlqRecordView[] }>(`/api/dlq${query(q)}`)).items);
      setSelected(new Set());
      setError(null);
    } catch (e) {
      setError((e as Error).message);
    } finally {
      setBusy(false);
    }
  }
  useEffect(() => void search(), []);

  async function replay() {
    const chosen = (records ?? []).filter((r) => selected.has(positionOf(r)));
    localStorage.setItem(OPERATOR_KEY, operator);
    setBusy(true);
    try {
      const { body } = await call<{ replayed: unknown[] }>('/api/dlq/replay', {
        method: 'POST',
        body: JSON.stringify({
          operator: operator.trim(),
          records: chosen.map((r) => ({
            dlqTopic: r.dlqTopic,
            partition: r.partition,
            offset: r.offset,
          })),
        }),
      });
      setOutcome({
        ok: true,
        text: `Replayed ${body.replayed.length} record(s) as ${operator.trim()}`,
      });
    } catch (e) {
      setOutcome({ ok: false, text: `Replay refused: ${(e as Error).message}` });
    } finally {
      setBusy(false);
    }
  }

  const field = (name: keyof typeof form) => ({
    value: form[name],
    onInput: (e: Event) =>
      setForm({ ...form, [name]: (e.currentTarget as HTMLInputElement).value }),
  });
  const toggle = (key: string) => {
    const next = new Set(selected);
    if (next.has(key)) next.delete(key);
    else next.add(key);
    setSelected(next);
  };
  return (
    <section aria-labelledby="dlq-title">
      <h1 id="dlq-title">Dead letters</h1>
      <form class="filters" onSubmit={(e) => (e.preventDefault(), void search())}>
        <label>
          Topic
          <select
            value={form.topic}
            onChange={(e) => setForm({ ...form, topic: e.currentTarget.value })}
          >
            <option value="">all</option>
            {(topics.value?.items ?? []).map((t) => (
              <option key={t.topic} value={t.topic}>{`${t.topic} (${t.count})`}</option>
            ))}
          </select>
        </label>
        <label>
          Error code
          <input {...field('errorCode')} maxLength={64} />
        </label>
        <label>
          Order id
          <input {...field('orderId')} maxLength={128} />
        </label>
        <label>
          Since
          <input type="datetime-local" {...field('since')} />
        </label>
        <label>
          Until
          <input type="datetime-local" {...field('until')} />
        </label>
        <button type="submit" disabled={busy}>
          Search
        </button>
      </form>
      {error && <p role="alert">Could not read the dead letters: {error}</p>}
      <form class="filters" onSubmit={(e) => (e.preventDefault(), void replay())}>
        <label>
          Operator
          <input
            value={operator}
            onInput={(e) => setOperator(e.currentTarget.value)}
            required
            pattern="[\w .@\-]{1,128}"
          />
        </label>
        <button type="submit" disabled={busy || selected.size === 0 || operator.trim() === ''}>
          Replay selected ({selected.size})
        </button>
      </form>
      {outcome && (
        <p role="status" class={outcome.ok ? 'ok-text' : 'bad-text'} data-testid="replay-outcome">
          {outcome.text}
        </p>
      )}
      {records && <p data-testid="dlq-count">{records.length} record(s)</p>}
      <ul class="records">
        {(records ?? []).map((r) => {
          const key = positionOf(r);
          return (
            <li key={key} data-key={r.key} data-position={key}>
              <label class="pick">
                <input type="checkbox" checked={selected.has(key)} onChange={() => toggle(key)} />
                <span>
                  {when(r.lastFailureAt || r.writtenAt)} ·{' '}
                  <strong>{r.errorCode || 'no code'}</strong> · {r.type || 'no type'} · order{' '}
                  {r.key || '—'}
                </span>
              </label>
              <details>
                <summary>Record {key}</summary>
                <dl class="facts">
                  <dt>Origin</dt>
                  <dd>{`${r.originTopic} ${r.originPartition}:${r.originOffset} (group ${r.group})`}</dd>
                  <dt>Error</dt>
                  <dd>{`${r.errorCode} (${r.errorClass}): ${r.errorMessage}`}</dd>
                  <dt>Attempts</dt>
                  <dd>{r.attempts}</dd>
                  <dt>Value</dt>
                  <dd>{r.value.decoded ? r.value.note : `not decoded: ${r.value.why}`}</dd>
                </dl>
                <pre>
                  {r.value.decoded ? JSON.stringify(r.value.json, null, 2) : r.value.base64}
                </pre>
                <table>
                  <caption>Headers</caption>
                  <tbody>
                    {Object.entries(r.headers).map(([name, value]) => (
                      <tr key={name}>
                        <th scope="row">{name}</th>
                        <td>{value}</td>
                      </tr>
                    ))}
                  </tbody>
                </table>
              </details>
            </li>
          );
        })}
      </ul>
    </section>
  );
}
