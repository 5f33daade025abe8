import { useEffect, useState } from 'preact/hooks';

/** Loads `load()` now and every `everyMs` (0: once); keeps the last good value on a failure. */
export function usePoll<T>(load: () => Promise<T>, everyMs: number, deps: unknown[] = []) {
  const [value, setValue] = useState<T | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [tick, setTick] = useState(0);
  useEffect(() => {
    let alive = true;
    const run = () =>
      load().then(
        (v) => alive && (setValue(v), setError(null)),
        (e: unknown) => alive && setError(e instanceof Error ? e.message : String(e)),
      );
    void run();
    const timer = everyMs > 0 ? setInterval(() => void run(), everyMs) : undefined;
    return () => {
      alive = false;
      clearInterval(timer);
    };
  }, [...deps, tick]);
  return { value, error, reload: () => setTick((t) => t + 1) };
}
