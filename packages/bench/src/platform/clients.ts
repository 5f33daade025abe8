import { devSigner, type SignToken } from '@orderflow/auth';

/**
 * The bench's clients: its orders are spread over BENCH_CUSTOMERS customers, each with its own
 * token signed by the stack's development key, as real traffic comes from many clients. One
 * client offering 60 orders/s and then reading each would meet the per-client rate limit
 * (RATE_LIMIT_MAX) and measure that instead of the platform.
 */
export const BENCH_CUSTOMERS = 64;

export class BenchClients {
  readonly #headers = new Map<string, Promise<{ authorization: string }>>();
  readonly #customerOf = new Map<string, string>();

  private constructor(private readonly sign: SignToken) {}

  static async forStack(stackDir: string): Promise<BenchClients> {
    return new BenchClients(await devSigner(stackDir));
  }

  /** The customer of the index-th order. */
  customer(base: string, index: number): string {
    return `${base}-${index % BENCH_CUSTOMERS}`;
  }

  headers(customerId: string): Promise<{ authorization: string }> {
    let found = this.#headers.get(customerId);
    if (found === undefined) {
      // Valid for the longest bench run with room to spare.
      found = this.sign({ sub: customerId, roles: ['customer'], expiresInSeconds: 12 * 3600 }).then(
        (token) => ({ authorization: `Bearer ${token}` }),
      );
      this.#headers.set(customerId, found);
    }
    return found;
  }

  /** Remembers whose an order is, so it is read with its own customer's token. */
  placed(orderId: string, customerId: string): void {
    this.#customerOf.set(orderId, customerId);
  }

  /** The headers to read an order with (an order it did not place is read as an admin). */
  headersForOrder(orderId: string): Promise<{ authorization: string }> {
    const customerId = this.#customerOf.get(orderId);
    if (customerId !== undefined) return this.headers(customerId);
    return this.sign({ sub: 'bench-admin', roles: ['admin'], expiresInSeconds: 12 * 3600 }).then(
      (token) => ({ authorization: `Bearer ${token}` }),
    );
  }
}
