import { describe, expect, it } from '@jest/globals';
import { InvalidArgumentError } from 'commander';
import { CliError } from '../src/errors.js';
import {
  collectItem,
  DEFAULT_BASE_URL,
  loadConfig,
  parseCountry,
  parseItem,
  parseLimit,
  parseTimeoutSeconds,
  parseUrl,
  placeOrderBody,
} from '../src/options.js';

describe('parseItem', () => {
  it('reads SKU:QTY', () => {
    expect(parseItem('USB-C-CABLE:2')).toEqual({ sku: 'USB-C-CABLE', quantity: 2 });
    expect(parseItem(' KEYBOARD-MECH:10 ')).toEqual({ sku: 'KEYBOARD-MECH', quantity: 10 });
  });

  it.each([
    'USB-C-CABLE',
    'USB-C-CABLE:',
    ':2',
    'USB-C-CABLE:0',
    'USB-C-CABLE:-1',
    'USB-C-CABLE:1.5',
    'A:B:2',
    'USB C:1',
    'A:99999999999999999999',
  ])('refuses %p with the expected form in the message', (value) => {
    expect(() => parseItem(value)).toThrow(InvalidArgumentError);
    expect(() => parseItem(value)).toThrow(/expected SKU:QTY/);
  });

  it('collects repeated --item values in order', () => {
    const items = collectItem('MOUSE-WIRELESS:1', collectItem('USB-C-CABLE:2', undefined));
    expect(items).toEqual([
      { sku: 'USB-C-CABLE', quantity: 2 },
      { sku: 'MOUSE-WIRELESS', quantity: 1 },
    ]);
  });
});

describe('option values', () => {
  it('upper-cases a two-letter country and refuses anything else', () => {
    expect(parseCountry('fr')).toBe('FR');
    expect(() => parseCountry('FRA')).toThrow(/two-letter ISO 3166-1/);
  });

  it('takes a positive --timeout in seconds', () => {
    expect(parseTimeoutSeconds('1.5')).toBe(1.5);
    expect(() => parseTimeoutSeconds('0')).toThrow(InvalidArgumentError);
    expect(() => parseTimeoutSeconds('soon')).toThrow(InvalidArgumentError);
  });

  it('bounds --limit by the service page size', () => {
    expect(parseLimit('100')).toBe(100);
    expect(() => parseLimit('0')).toThrow(/1 to 100/);
    expect(() => parseLimit('101')).toThrow(/1 to 100/);
    expect(() => parseLimit('5x')).toThrow(/1 to 100/);
  });

  it('takes an http(s) --url and drops a trailing slash', () => {
    expect(parseUrl('http://localhost:3000/')).toBe('http://localhost:3000');
    expect(parseUrl('https://gw.example/orders-api/')).toBe('https://gw.example/orders-api');
    expect(() => parseUrl('localhost:3000')).toThrow(InvalidArgumentError);
    expect(() => parseUrl('ftp://host')).toThrow(InvalidArgumentError);
  });
});

describe('loadConfig', () => {
  it('defaults to the local stack’s order-service', () => {
    expect(loadConfig({})).toEqual({ baseUrl: DEFAULT_BASE_URL });
    expect(DEFAULT_BASE_URL).toBe('http://127.0.0.1:3000');
  });

  it('takes ORDER_SERVICE_URL, and says so when it is not a URL', () => {
    expect(loadConfig({ ORDER_SERVICE_URL: 'http://orders:8080/' }).baseUrl).toBe(
      'http://orders:8080',
    );
    expect(() => loadConfig({ ORDER_SERVICE_URL: 'orders:8080' })).toThrow(CliError);
    expect(() => loadConfig({ ORDER_SERVICE_URL: 'orders:8080' })).toThrow(/ORDER_SERVICE_URL/);
  });
});

describe('placeOrderBody', () => {
  it('maps the flags to the POST /orders body', () => {
    const body = placeOrderBody({
      item: [{ sku: 'USB-C-CABLE', quantity: 2 }],
      token: 'tok_approve',
      customer: 'c-1',
      country: 'FR',
      name: 'Ada',
      line1: '1 Main St',
      city: 'Paris',
      postalCode: '75001',
    });
    expect(body).toEqual({
      customerId: 'c-1',
      items: [{ sku: 'USB-C-CABLE', quantity: 2 }],
      payment: { token: 'tok_approve' },
      shippingAddress: {
        name: 'Ada',
        line1: '1 Main St',
        city: 'Paris',
        postalCode: '75001',
        country: 'FR',
      },
    });
  });
});
