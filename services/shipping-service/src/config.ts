import { loadConfig, serviceEnv, z, type Env } from '@orderflow/service-runtime';

/**
 * Where we ship unless SHIPPING_COUNTRIES says otherwise: the 27 EU member states, the United
 * Kingdom and the United States (ISO 3166-1 alpha-2). Anything else is rejected as
 * UNSUPPORTED_COUNTRY, which is what drives the saga's "shipping rejected" compensation path.
 */
export const DEFAULT_SHIPPING_COUNTRIES = [
  ...['AT', 'BE', 'BG', 'CY', 'CZ', 'DE', 'DK', 'EE', 'ES', 'FI', 'FR', 'GR', 'HR', 'HU'],
  ...['IE', 'IT', 'LT', 'LU', 'LV', 'MT', 'NL', 'PL', 'PT', 'RO', 'SE', 'SI', 'SK'],
  ...['GB', 'US'],
] as const;

/** shipping-service's environment: read once at start, validated, frozen. */
export const configSchema = z.object({
  ...serviceEnv('shipping-service'),
  /** Comma-separated ISO 3166-1 alpha-2 codes, e.g. `DE,FR,GB`. */
  SHIPPING_COUNTRIES: z
    .string()
    .default(DEFAULT_SHIPPING_COUNTRIES.join(','))
    .transform((value) =>
      value
        .split(',')
        .map((c) => c.trim().toUpperCase())
        .filter((c) => c.length > 0),
    )
    .pipe(z.array(z.string().regex(/^[A-Z]{2}$/, 'expected ISO 3166-1 alpha-2 codes')).min(1))
    .transform((codes): ReadonlySet<string> => new Set(codes)),
  /** Name of the (simulated) carrier that every shipment is booked with. */
  SHIPPING_CARRIER: z.string().trim().min(1).max(100).default('OrderFlow Parcel (simulated)'),
});

export type ShippingConfig = Readonly<z.output<typeof configSchema>>;

export function shippingConfig(env: Env = process.env): ShippingConfig {
  return loadConfig(configSchema, env);
}
