import Table from 'cli-table3';
import type {
  Money,
  OrderPage,
  OrderResource,
  OrderStreamMessage,
  ShippingAddress,
} from './api.js';
import { EXIT, HttpProblemError, type CliError, type ExitCode } from './errors.js';

/** How the CLI prints orders, stream events and failures: plain text, tables via cli-table3. */
function table(head: readonly string[], rows: readonly (readonly string[])[]): string {
  const t = new Table({ head: [...head], style: { head: [], border: [] } });
  t.push(...rows.map((row) => [...row]));
  return t.toString();
}

const field = (label: string, value: string) => `${label.padEnd(10)} ${value}`;

/** `2025-01-31T12:00:01.123Z` → `2025-01-31 12:00:01Z`. */
const when = (iso: string) => iso.replace('T', ' ').replace(/\.\d+Z$/, 'Z');

/** The time of day, to the millisecond: stream events of one order are seconds apart. */
const clock = (iso: string) => /T(\d\d:\d\d:\d\d(?:\.\d+)?Z?)/.exec(iso)?.[1] ?? iso;

function fractionDigits(currency: string): number {
  try {
    return (
      new Intl.NumberFormat('en', { style: 'currency', currency }).resolvedOptions()
        .maximumFractionDigits ?? 2
    );
  } catch {
    return 2; // not an ISO 4217 code Intl knows: cents are the likeliest
  }
}

/** Minor units as a decimal amount with its currency code, e.g. `19.98 EUR`. */
export function formatMoney({ amountMinor, currency }: Money): string {
  const digits = fractionDigits(currency);
  return `${(amountMinor / 10 ** digits).toFixed(digits)} ${currency}`;
}

function address(a: ShippingAddress): string {
  return [a.name, a.line1, a.line2, `${a.postalCode} ${a.city}`, a.country]
    .filter((part) => part !== undefined && part !== null && part !== '')
    .join(', ');
}

function linesTable(order: OrderResource): string {
  const priced = order.pricedLines ?? [];
  const currency = order.total?.currency;
  if (priced.length > 0 && currency !== undefined) {
    const money = (amountMinor: number) => formatMoney({ amountMinor, currency });
    return table(
      ['SKU', 'QTY', 'UNIT PRICE', 'AMOUNT'],
      priced.map((l) => [
        l.sku,
        String(l.quantity),
        money(l.unitAmountMinor),
        money(l.lineAmountMinor),
      ]),
    );
  }
  return table(
    ['SKU', 'QTY'],
    order.lines.map((l) => [l.sku, String(l.quantity)]),
  );
}

export function renderOrder(order: OrderResource): string {
  const out = [
    field('order', order.orderId),
    field('status', `${order.status} (version ${order.version})`),
    field('customer', order.customerId),
    field('placed', `${when(order.placedAt)} via ${order.channel}`),
  ];
  if (order.finalAt) out.push(field('final', when(order.finalAt)));
  out.push(field('ship to', address(order.shippingAddress)));
  if (order.trackingNumber) out.push(field('tracking', order.trackingNumber));
  const unpriced =
    order.status === 'PENDING' ? 'not known yet (priced when the order completes)' : 'none';
  out.push(field('total', order.total ? formatMoney(order.total) : unpriced));
  if (order.cancellation) {
    const c = order.cancellation;
    out.push(
      field(
        'cancelled',
        `${c.reason}${c.failedStep ? ` at ${c.failedStep}` : ''}${c.detail ? `: ${c.detail}` : ''}`,
      ),
    );
  }
  if (order.parking) {
    const p = order.parking;
    out.push(field('attention', `${p.reason}${p.step ? ` (step ${p.step})` : ''}`));
  }
  out.push('', 'lines', linesTable(order), '', 'steps');
  out.push(
    order.steps.length === 0
      ? '  (none yet)'
      : table(
          ['AT', 'STEP', 'STATUS', 'DETAIL'],
          order.steps.map((s) => [when(s.at), s.step, s.status, s.detail ?? '']),
        ),
  );
  return out.join('\n');
}

export function renderOrderPage(page: OrderPage): string {
  const n = page.items.length;
  const out: string[] = [];
  if (n > 0) {
    out.push(
      table(
        ['ORDER ID', 'STATUS', 'CUSTOMER', 'TOTAL', 'VERSION', 'PLACED', 'UPDATED'],
        page.items.map((o) => [
          o.orderId,
          o.status,
          o.customerId,
          o.totalMinor === null || o.currency === null
            ? ''
            : formatMoney({ amountMinor: o.totalMinor, currency: o.currency }),
          String(o.version),
          when(o.createdAt),
          when(o.updatedAt),
        ]),
      ),
    );
  }
  out.push(n === 0 ? 'no orders' : `${n} order${n === 1 ? '' : 's'}, newest first`);
  if (page.nextCursor) out.push(`more: run again with --cursor ${page.nextCursor}`);
  return out.join('\n');
}

/** What one stream event changed, in a few words. */
function describe(message: OrderStreamMessage): string {
  const e = message.event;
  switch (e.type) {
    case 'OrderPlaced':
      return `placed: ${e.lines.map((l) => `${l.quantity} × ${l.sku}`).join(', ')} → ${e.shippingAddress.city}, ${e.shippingAddress.country}`;
    case 'StepRecorded':
      return `${e.step} ${e.status}${e.detail ? `: ${e.detail}` : ''}`;
    case 'OrderCompleted':
      return `completed: total ${formatMoney({ amountMinor: e.totalMinor, currency: e.currency })}${e.trackingNumber ? `, tracking ${e.trackingNumber}` : ''}`;
    case 'OrderCancelled':
      return `cancelled: ${e.reason}${e.failedStep ? ` at ${e.failedStep}` : ''}${e.detail ? `: ${e.detail}` : ''}`;
    case 'OrderParked':
      return `needs attention: ${e.reason}${e.step ? ` (step ${e.step})` : ''}`;
    default:
      // A newer service may send event types this client does not know: show the type.
      return (e as { type: string }).type;
  }
}

/** One line per stream event: version, time, the status after it, what happened. */
export function renderStreamMessage(message: OrderStreamMessage): string {
  return [
    `v${message.version}`.padEnd(4),
    clock(message.recordedAt).padEnd(13),
    message.status.padEnd(9),
    describe(message),
  ].join(' ');
}

/** The last line of a follow; the exit code goes with it (0 only for COMPLETED). */
export function renderOutcome(final: OrderStreamMessage): { text: string; exitCode: ExitCode } {
  const e = final.event;
  if (final.status === 'COMPLETED') {
    return { text: `✓ order ${final.orderId} COMPLETED`, exitCode: EXIT.OK };
  }
  let why = '';
  if (e.type === 'OrderCancelled') {
    why = `: ${e.reason}${e.failedStep ? ` at ${e.failedStep}` : ''}${e.detail ? `: ${e.detail}` : ''}`;
  } else if (e.type === 'OrderParked') {
    why = `: ${e.reason}${e.step ? ` at ${e.step}` : ''}; an operator must resolve it (order-saga: POST /sagas/${final.orderId}/resume)`;
  }
  return { text: `✗ order ${final.orderId} ${final.status}${why}`, exitCode: EXIT.NOT_COMPLETED };
}

/** An expected failure, for stderr: the problem details of an HTTP error in full. */
export function renderError(error: CliError): string {
  if (!(error instanceof HttpProblemError)) return `✗ ${error.message}`;
  const p = error.problem;
  if (!p) {
    const body = error.body.trim().split('\n')[0]?.slice(0, 200) ?? '';
    return `✗ order-service answered ${error.status} ${error.statusText}${body ? `: ${body}` : ''}`;
  }
  const out = [
    `✗ ${error.status} ${p.title ?? error.statusText}${p.detail ? `: ${p.detail}` : ''}`,
  ];
  for (const issue of p.errors ?? []) {
    out.push(`  - ${issue.path ?? '(request)'}: ${issue.message ?? 'is invalid'}`);
  }
  const refs = [
    p.type && p.type !== 'about:blank' ? `type ${p.type}` : undefined,
    p.correlationId ? `correlation id ${p.correlationId}` : undefined,
  ].filter(Boolean);
  if (refs.length > 0) out.push(`  (${refs.join(', ')})`);
  return out.join('\n');
}
