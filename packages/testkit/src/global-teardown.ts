// Jest global teardown: stops only what the global setup started.
export default async function globalTeardown(): Promise<void> {
  const teardown = globalThis.__orderflowTeardown;
  globalThis.__orderflowTeardown = undefined;
  if (teardown) await teardown();
}
