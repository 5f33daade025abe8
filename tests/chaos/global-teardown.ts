// Jest global teardown of the chaos suite: stops everything of the chaos stack, drops its databases.
export default async function globalTeardown(): Promise<void> {
  const teardown = globalThis.__chaosTeardown;
  globalThis.__chaosTeardown = undefined;
  if (teardown) await teardown();
}
