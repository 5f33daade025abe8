export { testEnvironment, type TestEnvironment } from './environment.js';
export { eventually } from './eventually.js';
export { createTestDatabase, type TestDatabase } from './database.js';
export { brokerOutage } from './outage.js';
export { bearer, stackAuth, testAuth, type TestAuth } from './auth.js';
