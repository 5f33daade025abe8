// Sequential order latency: POST /orders one at a time and report placed → COMPLETED percentiles.
import { parseArgs } from 'node:util';
import { getJson, orderRequest, placeOrder, settled } from '../e2e/platform.js';

/**
 * The latency is taken from the order's own timestamps (placedAt, finalAt written by
 * order-service), so the polling interval of this script does not blur it.
 */
const { values } = parseArgs({ options: { orders: { type: 'string', default: '200' } } });
const count = Number(values.orders);
if (!Number.isInteger(count) || count < 1) {
  process.stderr.write(`--orders must be a positive whole number, not ${values.orders}\n`);
  process.exit(1);
}

const health = await fetch('http://127.0.0.1:3000/health/ready').catch(() => undefined);
if (!health?.ok) {
  process.stderr.write(
    'order-service is not ready on :3000; start the platform with ./dev stack up\n',
  );
  process.exit(1);
}

const latencies: number[] = [];
let cancelled = 0;
for (let i = 0; i < count; i++) {
  const placed = await placeOrder(orderRequest({ items: [{ sku: 'USB-C-CABLE', quantity: 1 }] }));
  if (placed.status !== 202) throw new Error(`POST /orders answered ${placed.status}`);
  const order = await settled(placed.body.orderId);
  if (order.status !== 'COMPLETED') cancelled += 1;
  const { body } = await getJson<{ placedAt: string; finalAt: string }>(
    'order-service',
    `/orders/${order.orderId}`,
  );
  latencies.push(Date.parse(body.finalAt) - Date.parse(body.placedAt));
  if ((i + 1) % 20 === 0) process.stderr.write(`  ${i + 1}/${count} orders\n`);
}

latencies.sort((a, b) => a - b);
const pct = (p: number) =>
  latencies[Math.min(latencies.length - 1, Math.ceil((p / 100) * latencies.length) - 1)] ?? NaN;
console.log(`orders: ${count} sequential (${cancelled} not completed)`);
console.log(
  `placed → final, ms: p50 ${pct(50)}  p95 ${pct(95)}  p99 ${pct(99)}  max ${latencies.at(-1)}  min ${latencies[0]}`,
);
