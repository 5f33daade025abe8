// Process entry for order-saga: config → pool, messaging, app (with its deadline scheduler) → listen.
import { serviceMain } from '@orderflow/service-runtime';
import { buildApp, SERVICE } from './app.js';
import { sagaConfig } from './config.js';
import { telemetry } from './instrument.js';

await serviceMain({ service: SERVICE, loadConfig: sagaConfig, buildApp, telemetry });
