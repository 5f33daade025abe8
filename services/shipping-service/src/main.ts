// Process entry for shipping-service: config → pool, messaging, app → listen; graceful stop.
import { serviceMain } from '@orderflow/service-runtime';
import { buildApp, SERVICE } from './app.js';
import { shippingConfig } from './config.js';
import { telemetry } from './instrument.js';

await serviceMain({ service: SERVICE, loadConfig: shippingConfig, buildApp, telemetry });
