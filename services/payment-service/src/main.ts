// Process entry for payment-service: config → pool, messaging, gateway, app → listen; graceful stop.
import { serviceMain } from '@orderflow/service-runtime';
import { buildApp, SERVICE } from './app.js';
import { paymentConfig } from './config.js';
import { telemetry } from './instrument.js';

await serviceMain({ service: SERVICE, loadConfig: paymentConfig, buildApp, telemetry });
