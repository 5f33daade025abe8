import { describe, expect, it } from '@jest/globals';
import { CliError, HttpProblemError } from '../src/errors.js';
import {
  formatMoney,
  renderError,
  renderOrder,
  renderOrderPage,
  renderOutcome,
  renderStreamMessage,
} from '../src/render.js';
import { cancelledStream, completedStream, orderResource } from './support/fake-order-service.js';

describe('formatMoney', () => {
  it('prints minor units in the currency’s own decimals', () => {
    expect(formatMoney({ amountMinor: 1998, currency: 'EUR' })).toBe('19.98 EUR');
    expect(formatMoney({ amountMinor: 5, currency: 'USD' })).toBe('0.05 USD');
    expect(formatMoney({ amountMinor: 1200, currency: 'JPY' })).toBe('1200 JPY');
    expect(formatMoney({ amountMinor: 1234, currency: 'XXZ' })).toBe('12.34 XXZ');
  });
});

describe('renderOrder', () => {
  it('shows status, priced lines, total, tracking and the step log', () => {
    const text = renderOrder(orderResource());
    expect(text).toMatch(/^status\s+COMPLETED \(version 10\)$/m);
    expect(text).toMatch(/^total\s+49\.97 EUR$/m);
    expect(text).toMatch(/^tracking\s+OF000000042$/m);
    expect(text).toMatch(/^ship to\s+Ada, 1 Main St, 75001 Paris, FR$/m);
    expect(text).toMatch(/USB-C-CABLE\s+│ 2\s+│ 9\.99 EUR\s+│ 19\.98 EUR/);
    expect(text).toMatch(/2025-01-31 12:00:00Z\s+│ RESERVE_INVENTORY\s+│ SUCCEEDED/);
  });

  it('shows why a cancelled order was cancelled, and its unpriced lines', () => {
    const text = renderOrder(
      orderResource({
        status: 'CANCELLED',
        pricedLines: null,
        total: null,
        trackingNumber: null,
        cancellation: {
          reason: 'OUT_OF_STOCK',
          failedStep: 'RESERVE_INVENTORY',
          detail: 'SOLD-OUT-MUG',
        },
      }),
    );
    expect(text).toMatch(/^cancelled\s+OUT_OF_STOCK at RESERVE_INVENTORY: SOLD-OUT-MUG$/m);
    expect(text).toMatch(/^total\s+none$/m);
    expect(text).toMatch(/MOUSE-WIRELESS\s+│ 1\s+│/);
    expect(text).not.toMatch(/tracking/);
  });

  it('says a pending order is not priced yet and has no steps', () => {
    const text = renderOrder(
      orderResource({
        status: 'PENDING',
        pricedLines: null,
        total: null,
        steps: [],
        finalAt: null,
      }),
    );
    expect(text).toMatch(/^total\s+not known yet/m);
    expect(text).toMatch(/\(none yet\)/);
  });
});

describe('renderOrderPage', () => {
  it('prints a table, a count and how to get the next page', () => {
    const text = renderOrderPage({
      items: [
        {
          orderId: 'o-1',
          customerId: 'c-1',
          status: 'COMPLETED',
          totalMinor: 1998,
          currency: 'EUR',
          version: 10,
          createdAt: '2025-01-31T12:00:00.000Z',
          updatedAt: '2025-01-31T12:00:01.000Z',
        },
      ],
      nextCursor: 'abc',
    });
    expect(text).toMatch(/o-1\s+│ COMPLETED\s+│ c-1\s+│ 19\.98 EUR\s+│ 10/);
    expect(text).toMatch(/^1 order, newest first$/m);
    expect(text).toMatch(/--cursor abc/);
    expect(renderOrderPage({ items: [], nextCursor: null })).toBe('no orders');
  });
});

describe('stream lines', () => {
  it('prints version, time, status and what happened', () => {
    const [placed, started, , , , completed] = completedStream();
    expect(placed && renderStreamMessage(placed)).toBe(
      'v1   12:00:00.000Z PENDING   placed: 2 × USB-C-CABLE → Paris, FR',
    );
    expect(started && renderStreamMessage(started)).toMatch(
      /^v2 .* PENDING\s+RESERVE_INVENTORY STARTED$/,
    );
    expect(completed && renderStreamMessage(completed)).toMatch(
      /COMPLETED completed: total 19\.98 EUR, tracking OF000000042$/,
    );
  });

  it('exits 0 only for COMPLETED, and says why otherwise', () => {
    const completed = completedStream().at(-1);
    const cancelled = cancelledStream().at(-1);
    if (!completed || !cancelled) throw new Error('fixture streams are empty');
    expect(renderOutcome(completed).exitCode).toBe(0);
    expect(renderOutcome(cancelled)).toEqual({
      exitCode: 1,
      text: `✗ order ${cancelled.orderId} CANCELLED: PAYMENT_DECLINED at PROCESS_PAYMENT: payment declined (INSUFFICIENT_FUNDS)`,
    });
    const parked = renderOutcome({
      ...cancelled,
      type: 'OrderParked',
      status: 'FAILED_NEEDS_ATTENTION',
      event: { type: 'OrderParked', step: 'PROCESS_PAYMENT', reason: 'refund kept failing' },
    });
    expect(parked.exitCode).toBe(1);
    expect(parked.text).toMatch(
      /FAILED_NEEDS_ATTENTION: refund kept failing at PROCESS_PAYMENT; an operator/,
    );
  });
});

describe('renderError', () => {
  it('prints problem details with title, detail and each validation error', () => {
    const error = new HttpProblemError(
      400,
      'Bad Request',
      {
        type: 'urn:orderflow:problem:validation-error',
        title: 'Bad Request',
        status: 400,
        detail: 'The request body is invalid',
        correlationId: 'corr-1',
        errors: [{ path: 'body/items/0/sku', message: 'must match pattern' }],
      },
      '',
    );
    expect(renderError(error)).toBe(
      [
        '✗ 400 Bad Request: The request body is invalid',
        '  - body/items/0/sku: must match pattern',
        '  (type urn:orderflow:problem:validation-error, correlation id corr-1)',
      ].join('\n'),
    );
  });

  it('prints the status and the start of a body that is not problem details', () => {
    const error = new HttpProblemError(
      502,
      'Bad Gateway',
      undefined,
      '<html>upstream down</html>\n…',
    );
    expect(renderError(error)).toBe(
      '✗ order-service answered 502 Bad Gateway: <html>upstream down</html>',
    );
    expect(renderError(new CliError('BAD_RESPONSE', 'not an order'))).toBe('✗ not an order');
  });
});
