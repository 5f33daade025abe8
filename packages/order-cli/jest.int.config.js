import { jestConfig } from '../../jest.preset.js';

// The CLI talks to order-service: the global setup makes sure the services run, not only the infrastructure.
export default jestConfig({ integration: true, services: true });
