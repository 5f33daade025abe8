import { afterAll, beforeAll, describe, expect, it, jest } from '@jest/globals';
import { randomUUID } from 'node:crypto';
import type { Page } from 'playwright-core';
import { SERVICE_NAMES } from '@orderflow/contracts';
import { createKafka, silentLogger } from '@orderflow/messaging';
import { eventually, testEnvironment } from '@orderflow/testkit';
import { consumerLag } from '../../src/health/lag.js';
import { metricFigures } from '../../src/health/metrics.js';
import { launchBrowser, screenshot, seriousViolations, type Browser } from '../support/browser.js';
import { startConsole, type RunningConsole } from '../support/console-server.js';

/**
 * The console in a real browser (Debian's Chromium through playwright-core) against the shared
 * stack's services: each page does what an operator needs, live, without a reload; each is
 * screenshotted into out/console and checked by axe-core for serious accessibility violations.
 */
let running: RunningConsole;
let browser: Browser;
const kafka = createKafka({
  brokers: testEnvironment().kafkaBrokers.split(','),
  clientId: 'console-browser-test',
  logger: silentLogger,
});

beforeAll(async () => {
  running = await startConsole();
  browser = await launchBrowser();
});

afterAll(async () => {
  await browser?.close();
  await running?.close();
});

const SLOW = { timeoutMs: 90_000, intervalMs: 250 };
// The shared stack is busy with other suites on two cores: an order can take a minute.
jest.setTimeout(240_000);

async function open(hash: string): Promise<Page> {
  const page = await browser.context.newPage();
  await page.goto(`${running.url}/${hash}`);
  // A value only this document has: if the page reloaded, it is gone.
  await page.evaluate(() => {
    (globalThis as unknown as { consoleTestMarker: string }).consoleTestMarker = 'same document';
  });
  return page;
}

async function sameDocument(page: Page): Promise<boolean> {
  return page.evaluate(
    () =>
      (globalThis as unknown as { consoleTestMarker?: string }).consoleTestMarker ===
      'same document',
  );
}

async function expectAccessible(page: Page): Promise<void> {
  expect(await seriousViolations(page)).toEqual([]);
}

async function placeThroughForm(page: Page, customerId: string, token: string): Promise<string> {
  await page.getByLabel('Quantity of USB-C-CABLE').fill('1');
  await page.getByLabel('Customer id').fill(customerId);
  await page.getByLabel('Payment token').selectOption(token);
  await page.getByRole('button', { name: 'Place order' }).click();
  await page.waitForURL(/#\/orders\/[0-9a-f-]{36}/, { timeout: 30_000 });
  const match = /#\/orders\/([0-9a-f-]{36})/.exec(page.url());
  if (!match?.[1]) throw new Error(`no order id in ${page.url()}`);
  return match[1];
}

const text = async (page: Page, selector: string) =>
  (await page.locator(selector).first().textContent())?.trim() ?? '';

describe('the console in a browser', () => {
  it('places an order through the form; the list and the timeline follow it to COMPLETED without a reload', async () => {
    const customerId = `console-ui-${randomUUID().slice(0, 8)}`;
    const list = await open('#/orders');
    await list.getByLabel('Customer').fill(customerId);
    await list.getByRole('button', { name: 'Filter' }).click();
    await list.getByText('Live').waitFor();

    const form = await open('#/place');
    await form.getByLabel('Quantity of USB-C-CABLE').waitFor();
    await expectAccessible(form);
    await screenshot(form, 'place-order');
    const orderId = await placeThroughForm(form, customerId, 'tok_approve');
    // The trace link: the console started the trace it placed the order in.
    await form.getByRole('link', { name: /^[0-9a-f]{32}$/ }).waitFor();

    await eventually(
      `order ${orderId} COMPLETED on its page`,
      async () => {
        expect(await text(form, '[data-testid=order-status]')).toBe('COMPLETED');
        expect(await form.locator('rect[data-kind=forward][data-outcome=SUCCEEDED]').count()).toBe(
          4,
        );
      },
      SLOW,
    );
    expect(await sameDocument(form)).toBe(true);
    expect(await text(form, '[data-testid=payment]')).toMatch(/^CAPTURED/);
    expect(await text(form, '[data-testid=shipment]')).toMatch(/^SCHEDULED/);
    await expectAccessible(form);
    await screenshot(form, 'order-completed');

    await eventually(
      `order ${orderId} COMPLETED in the live list`,
      async () => {
        const row = list.locator(`tr[data-order-id="${orderId}"] [data-testid=order-status]`);
        expect(await row.textContent()).toBe('COMPLETED');
      },
      SLOW,
    );
    expect(await sameDocument(list)).toBe(true);
    await expectAccessible(list);
    await screenshot(list, 'orders');
    await list.close();
    await form.close();
  });

  it('shows a declined order cancelled, with the compensation of its reservation on the timeline', async () => {
    const page = await open('#/place');
    await page.getByLabel('Quantity of USB-C-CABLE').waitFor();
    const orderId = await placeThroughForm(
      page,
      `console-ui-${randomUUID().slice(0, 8)}`,
      'tok_decline_insufficient_funds',
    );
    await eventually(
      `order ${orderId} CANCELLED with its compensation drawn`,
      async () => {
        expect(await text(page, '[data-testid=order-status]')).toBe('CANCELLED');
        const compensation = page.locator(
          'g[data-step=RESERVE_INVENTORY] rect[data-kind=compensation][data-outcome=COMPENSATED]',
        );
        expect(await compensation.count()).toBe(1);
        expect(
          await page.locator('g[data-step=PROCESS_PAYMENT] rect[data-outcome=FAILED]').count(),
        ).toBe(1);
      },
      SLOW,
    );
    expect(await text(page, '[data-testid=cancellation]')).toContain('PAYMENT_DECLINED');
    expect(await sameDocument(page)).toBe(true);
    await expectAccessible(page);
    await screenshot(page, 'order-cancelled');
    await page.close();
  });

  it('finds a poison record in Dead letters and replays it from the page: it is delivered again', async () => {
    const key = randomUUID();
    const producer = kafka.producer();
    await producer.connect();
    await producer.send({
      topic: 'inventory.commands',
      messages: [
        {
          key,
          value: Buffer.from('not avro at all'),
          headers: { ce_type: 'saga.ReserveInventory' },
        },
      ],
    });
    await producer.disconnect();

    const page = await open('#/dead-letters');
    const operator = `console-test-${randomUUID().slice(0, 6)}`;
    await page.getByLabel('Order id').fill(key);
    const records = page.locator(`li[data-key="${key}"]`);
    await eventually(
      `the poison record ${key} listed`,
      async () => {
        await page.getByRole('button', { name: 'Search' }).click();
        await page.getByTestId('dlq-count').waitFor();
        expect(await records.count()).toBe(1);
      },
      SLOW,
    );
    await records
      .first()
      .getByText(/^Record /)
      .click();
    const shown = (await records.first().textContent()) ?? '';
    expect(shown).toContain('inventory.commands'); // its origin
    expect(shown).toContain('not decoded: NOT_AVRO');
    await expectAccessible(page);
    await screenshot(page, 'dead-letters');

    await records.first().getByRole('checkbox').check();
    await page.getByLabel('Operator').fill(operator);
    await page.getByRole('button', { name: /Replay selected/ }).click();
    await page.getByText(`Replayed 1 record(s) as ${operator}`).waitFor({ timeout: 30_000 });

    // Still poison, so inventory-service dead-letters it again: the second copy is the replay.
    await eventually(
      `the replayed record ${key} dead-lettered again`,
      async () => {
        await page.getByRole('button', { name: 'Search' }).click();
        await page.getByTestId('dlq-count').waitFor();
        expect(await records.count()).toBe(2);
      },
      SLOW,
    );
    const replayed = records.filter({ hasText: operator });
    expect(await replayed.count()).toBe(1);
    await replayed.getByText(/^Record /).click();
    // The operator travels on the record (x-replayed-by), kept through its second failure.
    expect(await replayed.locator('tr', { hasText: 'x-replayed-by' }).textContent()).toBe(
      `x-replayed-by${operator}`,
    );
    await page.close();
  });

  it('shows each service ready, and lag and outbox backlog figures that match the broker and /metrics', async () => {
    const page = await open('#/health');
    await page.getByTestId('rate-chart').waitFor({ timeout: 30_000 });
    await eventually(
      'the health page to agree with /metrics and the broker',
      async () => {
        await page.reload(); // a fresh reading of both sides, taken as close together as we can
        await page.getByTestId('services').waitFor();
        const lag = await consumerLag(kafka);
        for (const service of SERVICE_NAMES) {
          const row = page.locator(`tr[data-service="${service}"]`);
          expect(await row.locator('td').first().textContent()).toBe('ready');
          const metrics = await fetch(`${await serviceUrl(service)}/metrics`).then((r) => r.text());
          const backlog = metricFigures(metrics).outboxBacklog;
          expect(await row.getByTestId('backlog').textContent()).toBe(
            backlog === null ? '—' : String(backlog),
          );
        }
        for (const { group, lag: expected } of lag) {
          expect(await page.locator(`tr[data-group="${group}"] td`).textContent()).toBe(
            String(expected),
          );
        }
      },
      SLOW,
    );
    await expectAccessible(page);
    await screenshot(page, 'health');
    await page.close();
  });

  it('lists a saga parked by a refund the gateway keeps refusing; resuming it from the page finishes the order CANCELLED', async () => {
    // Shipping refuses JP after the capture; the simulator refuses this order's first 5 refunds
    // for good (payment-service README), one per RefundPayment the saga sends, so after its 5
    // sends (SAGA_MAX_COMPENSATION_ATTEMPTS, 10 s apart) the saga parks; the resume is the 6th.
    const place = await open('#/place');
    await place.getByLabel('Quantity of USB-C-CABLE').waitFor();
    await place.getByLabel('Country (ISO code)').fill('JP');
    const orderId = await placeThroughForm(
      place,
      `console-ui-${randomUUID().slice(0, 8)}`,
      'tok_refund_refused_5',
    );
    await place.close();

    const page = await open('#/attention');
    await page.getByRole('heading', { name: 'Needs attention' }).waitFor();
    const row = page.locator(`tr[data-order-id="${orderId}"]`);
    await eventually(
      `order ${orderId} listed as parked (5 refund sends 10 s apart, then the page's 5 s poll)`,
      async () => expect(await row.count()).toBe(1),
      { timeoutMs: 180_000, intervalMs: 1_000 },
    );
    const shown = (await row.textContent()) ?? '';
    expect(shown).toContain('PROCESS_PAYMENT'); // the compensation that never got confirmed
    expect(shown).toContain('SHIPPING_REJECTED at SCHEDULE_SHIPMENT');
    await expectAccessible(page);
    await screenshot(page, 'needs-attention');

    await page.getByRole('button', { name: `Resume saga of order ${orderId}` }).click();
    expect(await page.getByTestId('resume-outcome').textContent()).toBe(
      `Resumed ${orderId}: the saga is COMPENSATING`,
    );
    await eventually(
      `order ${orderId} gone from Needs attention`,
      async () => expect(await row.count()).toBe(0),
      SLOW,
    );
    expect(await sameDocument(page)).toBe(true);
    await page.close();

    const order = await open(`#/orders/${orderId}`);
    await eventually(
      `order ${orderId} CANCELLED, its payment refunded by the resumed compensation`,
      async () => {
        expect(await text(order, '[data-testid=order-status]')).toBe('CANCELLED');
        expect(await text(order, '[data-testid=saga-status]')).toBe('CANCELLED');
        // The five refused sends end in one failed bar; the resumed send in a compensated one.
        const refund = (outcome: string) =>
          order.locator(
            `g[data-step=PROCESS_PAYMENT] rect[data-kind=compensation][data-outcome=${outcome}]`,
          );
        expect(await refund('COMPENSATION_FAILED').count()).toBe(1);
        expect(await refund('COMPENSATED').count()).toBe(1);
      },
      SLOW,
    );
    expect(await text(order, '[data-testid=payment]')).toMatch(/; refunded /);
    expect(await text(order, '[data-testid=cancellation]')).toContain('SHIPPING_REJECTED');
    await screenshot(order, 'order-resumed');
    await order.close();
  }, 420_000);
});

async function serviceUrl(service: (typeof SERVICE_NAMES)[number]): Promise<string> {
  const { loadStackConfig, serviceUrl: url } = await import('@orderflow/infra');
  return url(loadStackConfig(), service);
}
