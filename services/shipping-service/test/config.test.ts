import { describe, expect, it } from '@jest/globals';
import { ConfigError } from '@orderflow/service-runtime';
import { shippingConfig } from '../src/config.js';

describe('shipping config', () => {
  it('defaults to port 3003 and the EU + GB + US country list', () => {
    const config = shippingConfig({});
    expect(config.PORT).toBe(3003);
    expect(config.DATABASE_URL).toMatch(/\/orderflow_shipping$/);
    expect(config.SHIPPING_COUNTRIES.has('DE')).toBe(true);
    expect(config.SHIPPING_COUNTRIES.has('BR')).toBe(false);
  });

  it('reads SHIPPING_COUNTRIES as a comma-separated, case-insensitive list', () => {
    const config = shippingConfig({ SHIPPING_COUNTRIES: 'de, fr ,,GB' });
    expect([...config.SHIPPING_COUNTRIES]).toEqual(['DE', 'FR', 'GB']);
  });

  it('refuses codes that are not ISO alpha-2, naming the variable', () => {
    expect(() => shippingConfig({ SHIPPING_COUNTRIES: 'DE,Germany' })).toThrow(ConfigError);
    expect(() => shippingConfig({ SHIPPING_COUNTRIES: ' , ' })).toThrow(/SHIPPING_COUNTRIES/);
  });
});
