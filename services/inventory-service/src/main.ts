// Process entry for inventory-service: config → pool, messaging, app → listen; graceful stop.
import { serviceMain } from '@orderflow/service-runtime';
import { buildApp, SERVICE } from './app.js';
import { inventoryConfig } from './config.js';
import { telemetry } from './instrument.js';

await serviceMain({ service: SERVICE, loadConfig: inventoryConfig, buildApp, telemetry });
