/**
 * Time the services spend per consumed record, from their Prometheus endpoint: the messaging
 * toolkit's orderflow_handler_duration_seconds histogram covers decode, handler and the inbox/outbox
 * transaction. Read before and after a step, the difference tells which service's records are
 * slow (a service whose records are slow and serial is the platform's ceiling).
 */
export interface HandlerTotals {
  readonly count: number;
  readonly sumSeconds: number;
}

export interface HandlerTime {
  readonly records: number;
  /** Mean per record over the step; undefined when the service handled none. */
  readonly meanMs: number | undefined;
}

const LINE = /^orderflow_handler_duration_seconds_(sum|count)(?:\{[^}]*\})?\s+([0-9.eE+-]+)\s*$/;

/** Sums the histogram's _sum and _count over all its label sets. */
export function parseHandlerTotals(metrics: string): HandlerTotals {
  let count = 0;
  let sumSeconds = 0;
  for (const line of metrics.split('\n')) {
    const match = LINE.exec(line);
    if (!match) continue;
    if (match[1] === 'sum') sumSeconds += Number(match[2]);
    else count += Number(match[2]);
  }
  return { count, sumSeconds };
}

export function handlerTime(before: HandlerTotals, after: HandlerTotals): HandlerTime {
  const records = after.count - before.count;
  return {
    records,
    meanMs: records > 0 ? ((after.sumSeconds - before.sumSeconds) * 1000) / records : undefined,
  };
}

/** A service's totals now; zeros when /metrics does not answer (the step still runs). */
export async function readHandlerTotals(serviceUrl: string): Promise<HandlerTotals> {
  try {
    const res = await fetch(`${serviceUrl}/metrics`, { signal: AbortSignal.timeout(5_000) });
    return res.ok ? parseHandlerTotals(await res.text()) : { count: 0, sumSeconds: 0 };
  } catch {
    return { count: 0, sumSeconds: 0 };
  }
}
