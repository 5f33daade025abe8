// Process entry for order-service: config → pool, messaging, app → listen; graceful stop.
import { serviceMain } from '@orderflow/service-runtime';
import { buildApp, SERVICE } from './app.js';
import { orderConfig } from './config.js';
import { telemetry } from './instrument.js';

await serviceMain({ service: SERVICE, loadConfig: orderConfig, buildApp, telemetry });
