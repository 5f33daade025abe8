import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** The folder of this package's SQL migrations, to add to a service's migration folders. */
export const EVENT_STORE_MIGRATIONS = path.resolve(
  path.dirname(fileURLToPath(import.meta.url)),
  '../migrations',
);
