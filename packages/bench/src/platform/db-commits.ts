import pg from 'pg';

/**
 * Commits on the platform's databases (pg_stat_database.xact_commit), to count the database
 * transactions one order costs. Backends report their counters at most about once a second, so a
 * step's figure is exact to within a second's worth of commits.
 */
export class DatabaseCommits {
  private constructor(
    private readonly client: pg.Client,
    private readonly databases: readonly string[],
  ) {}

  static async connect(url: string, databases: readonly string[]): Promise<DatabaseCommits> {
    const client = new pg.Client({ connectionString: url });
    await client.connect();
    return new DatabaseCommits(client, databases);
  }

  async read(): Promise<number> {
    const { rows } = await this.client.query<{ n: string }>(
      'SELECT coalesce(sum(xact_commit), 0)::text AS n FROM pg_stat_database WHERE datname = ANY($1)',
      [this.databases],
    );
    return Number(rows[0]?.n ?? 0);
  }

  close(): Promise<void> {
    return this.client.end();
  }
}
