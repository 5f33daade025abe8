import { PROBLEM_CONTENT_TYPE } from '@orderflow/service-runtime';
import { FINAL_STATUSES } from '../domain/index.js';

/**
 * The answers of POST /orders as its route declares them: they make the OpenAPI document, and
 * fastify serializes each body with them, so every field of OrderResource is declared here
 * (test/handlers/place-order-responses.test.ts proves that none is dropped).
 */
const text = { type: 'string' } as const;
const nullableText = { type: ['string', 'null'] } as const;
const integer = { type: 'integer' } as const;
const time = { type: 'string', format: 'date-time' } as const;

const orderLine = {
  type: 'object',
  required: ['sku', 'quantity'],
  properties: { sku: text, quantity: integer },
} as const;

const pricedLine = {
  type: 'object',
  required: ['sku', 'quantity', 'unitAmountMinor', 'lineAmountMinor'],
  properties: {
    sku: text,
    quantity: integer,
    unitAmountMinor: { ...integer, description: 'Catalogue price, in minor units' },
    lineAmountMinor: integer,
  },
} as const;

const shippingAddress = {
  type: 'object',
  required: ['name', 'line1', 'line2', 'city', 'postalCode', 'country'],
  properties: {
    name: text,
    line1: text,
    line2: nullableText,
    city: text,
    postalCode: text,
    country: { ...text, description: 'ISO 3166-1 alpha-2' },
  },
} as const;

const stepLogEntry = {
  type: 'object',
  required: ['step', 'status', 'at', 'detail'],
  properties: {
    step: { ...text, description: 'RESERVE_INVENTORY, PROCESS_PAYMENT, …' },
    status: { ...text, description: 'STARTED, SUCCEEDED, FAILED, TIMED_OUT, COMPENSATING, …' },
    at: time,
    detail: nullableText,
  },
} as const;

/** OrderResource (order-resource.ts): the order as GET /orders/:id shows it too. */
export const orderResourceSchema = {
  type: 'object',
  required: [
    'orderId',
    'customerId',
    'status',
    'channel',
    'placedAt',
    'lines',
    'shippingAddress',
    'pricedLines',
    'total',
    'trackingNumber',
    'steps',
    'cancellation',
    'parking',
    'finalAt',
    'version',
  ],
  properties: {
    orderId: text,
    customerId: text,
    status: { type: 'string', enum: ['PENDING', ...FINAL_STATUSES] },
    channel: { ...text, description: 'API for every order placed over this API' },
    placedAt: time,
    lines: { type: 'array', items: orderLine },
    shippingAddress,
    pricedLines: {
      type: ['array', 'null'],
      items: pricedLine,
      description: 'Priced by inventory; null until the order completes',
    },
    total: {
      type: ['object', 'null'],
      required: ['amountMinor', 'currency'],
      properties: { amountMinor: integer, currency: { ...text, description: 'ISO 4217' } },
      description: 'Null until inventory priced the order (kept if it is then cancelled)',
    },
    trackingNumber: nullableText,
    steps: { type: 'array', items: stepLogEntry, description: "The saga's step log" },
    cancellation: {
      type: ['object', 'null'],
      required: ['reason', 'failedStep', 'detail', 'chargedMinor', 'refundedMinor'],
      properties: {
        reason: text,
        failedStep: nullableText,
        detail: nullableText,
        chargedMinor: {
          ...integer,
          description: 'Captured for the order, in minor units of total',
        },
        refundedMinor: { ...integer, description: 'Refunded: equals chargedMinor once cancelled' },
      },
    },
    parking: {
      type: ['object', 'null'],
      required: ['step', 'reason'],
      properties: { step: nullableText, reason: text },
    },
    finalAt: { type: ['string', 'null'], format: 'date-time' },
    version: { ...integer, description: 'Events in the order stream so far' },
  },
} as const;

/** RFC 9457 problem details as the error handler renders them (service-runtime's toProblem). */
export const problemDetails = {
  type: 'object',
  required: ['type', 'title', 'status', 'detail', 'instance'],
  properties: {
    type: { type: 'string' },
    title: { type: 'string' },
    status: { type: 'integer' },
    detail: { type: 'string' },
    instance: { type: 'string' },
    correlationId: { type: 'string' },
  },
  additionalProperties: true,
} as const;

function problem(description: string, properties: Readonly<Record<string, unknown>> = {}) {
  return {
    description,
    content: {
      [PROBLEM_CONTENT_TYPE]: {
        schema: { ...problemDetails, properties: { ...problemDetails.properties, ...properties } },
      },
    },
  };
}

const location = {
  location: { type: 'string', description: '/orders/<orderId>, where the order can be read' },
} as const;

export const PLACE_ORDER_RESPONSES = {
  202: {
    description: 'Placed: the saga now reserves, charges and ships it. Follow it at Location.',
    headers: location,
    content: { 'application/json': { schema: orderResourceSchema } },
  },
  200: {
    description:
      'The same Idempotency-Key came again with the same body: the order it placed the first time, as it is now.',
    headers: {
      ...location,
      'idempotent-replayed': { type: 'string', enum: ['true'] },
    },
    content: { 'application/json': { schema: orderResourceSchema } },
  },
  400: problem(
    'The body, a header or the URL is invalid: a schema violation (errors[].path names each field), malformed JSON, invalid UTF-8, nesting deeper than 64 levels, or text Postgres cannot store.',
    {
      errors: {
        type: 'array',
        items: {
          type: 'object',
          properties: { path: text, message: text, property: text },
          additionalProperties: true,
        },
      },
    },
  ),
  413: problem('The body is over 1 MiB.'),
  415: problem('The body is not JSON (application/json), or it is encoded (Content-Encoding).'),
  422: problem(
    'The order is invalid as a whole (a SKU on more than one line), or the Idempotency-Key was already used with another body.',
  ),
  500: problem('An unexpected error; it is logged, and the body says nothing internal.'),
} as const;
