/**
 * How big each scenario is. The bounded form (default) fits CI on two cores; CHAOS_LONG=1 runs
 * the long form. CHAOS_SEED replays a run's random choices (every scenario prints its seed).
 */
export const LONG = process.env.CHAOS_LONG === '1';

export const SEED = Number(process.env.CHAOS_SEED ?? Date.now() % 1_000_000_007);

export const PROFILE = LONG
  ? {
      mixedLoad: { orders: 2_000, concurrency: 8, maxInFlight: 20 },
      crash: { orders: 2_000, ratePerSecond: 8, maxInFlight: 40, killsPerService: 2, armed: 5 },
      // Each order puts 2 commands on inventory.commands: 2,500 orders ≈ 5,000 good records.
      poison: { orders: 2_500, poison: 1_000, poisonPerSecond: 2 },
      fuzz: { requests: 10_000, concurrency: 16 },
      instances: { orders: 1_000, ratePerSecond: 8, maxInFlight: 40, rounds: 2 },
    }
  : {
      mixedLoad: { orders: 300, concurrency: 8, maxInFlight: 20 },
      // The load lasts as long as the faults (at least `orders`), the faults as long as the load.
      crash: { orders: 150, ratePerSecond: 4, maxInFlight: 30, killsPerService: 1, armed: 1 },
      poison: { orders: 100, poison: 50, poisonPerSecond: 2.5 },
      fuzz: { requests: 1_000, concurrency: 8 },
      // Two instances of each service, each service's relay holder killed once (long: twice).
      instances: { orders: 100, ratePerSecond: 4, maxInFlight: 30, rounds: 1 },
    };

/** A small deterministic PRNG (mulberry32), so a failing run can be replayed with CHAOS_SEED. */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

export function pick<T>(random: () => number, items: readonly T[]): T {
  const item = items[Math.floor(random() * items.length)];
  if (item === undefined) throw new Error('pick from an empty list');
  return item;
}

export function shuffle<T>(random: () => number, items: readonly T[]): T[] {
  const out = [...items];
  for (let i = out.length - 1; i > 0; i -= 1) {
    const j = Math.floor(random() * (i + 1));
    [out[i], out[j]] = [out[j] as T, out[i] as T];
  }
  return out;
}
