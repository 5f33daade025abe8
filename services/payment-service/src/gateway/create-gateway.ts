import type { Logger } from '@orderflow/telemetry';
import type { PaymentConfig } from '../config.js';
import type { PaymentGateway } from './payment-gateway.js';
import { SimulatedGateway } from './simulated-gateway.js';

/** The gateway the config names; a real provider's adapter is one more case here. */
export function createGateway(config: PaymentConfig, logger: Logger): PaymentGateway {
  switch (config.PAYMENT_GATEWAY) {
    case 'simulated':
      logger.warn('using the SIMULATED payment gateway: no money moves');
      return new SimulatedGateway({ maxDelayMs: config.SIMULATED_GATEWAY_MAX_DELAY_MS });
  }
}
