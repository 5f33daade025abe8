import { fileURLToPath } from 'node:url';

/** The slice of a pg client the messaging path uses: a pool client inside the caller's transaction. */
export interface Queryable {
  query<R extends object = Record<string, unknown>>(
    text: string,
    values?: unknown[],
  ): Promise<{ rows: R[]; rowCount: number | null }>;
}

/**
 * The SQL migrations of the messaging tables (outbox, inbox, ...): every service database runs
 * them before its own. The folder sits one level above both src/ and dist/.
 */
export const MESSAGING_MIGRATIONS_DIR = fileURLToPath(new URL('../migrations', import.meta.url));
