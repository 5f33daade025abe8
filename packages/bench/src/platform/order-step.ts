import type { Admin } from '../kafka-types.js';
import { realClock, runOpenLoop, arrivalCount } from '../schedule.js';
import { mapLimit, sleep } from '../timeout.js';
import type { PlatformStep } from '../results.js';
import { summarizeStep, TERMINAL, type OrderTimes, type Sent } from './step-figures.js';
import { ensureStock, orderBody, unitsNeeded, type OrderLoadShape } from './catalogue.js';
import type { BenchClients } from './clients.js';
import type { DatabaseCommits } from './db-commits.js';
import { handlerTime, readHandlerTotals, type HandlerTotals } from './handler-metrics.js';
import { sampleLag, type GroupTopics, type LagSample } from './lag.js';
import type { OutcomeTap } from './outcome-tap.js';
import type { ProcessGroup } from './resources.js';
import { ResourceSampler } from './resources.js';

/**
 * One rate of the ladder against the running platform: top up stock, POST orders on an open-loop
 * schedule for the step's duration, wait until every accepted order has finished, then read each
 * order's own placedAt/finalAt. CPU, memory and consumer lag are sampled meanwhile.
 */
export interface StepDeps {
  readonly orderServiceUrl: string;
  readonly inventoryUrl: string;
  /** Every service's base URL, for its /metrics. */
  readonly serviceUrls: Readonly<Record<string, string>>;
  readonly tap: OutcomeTap;
  readonly admin: Admin;
  readonly groups: readonly GroupTopics[];
  readonly processes: readonly ProcessGroup[];
  readonly commits: DatabaseCommits;
  readonly progress: (line: string) => void;
  /** Bearer tokens of the bench's customers (and an admin's, for PUT /inventory). */
  readonly clients: BenchClients;
}

export interface StepOptions {
  readonly rate: number;
  readonly durationSeconds: number;
  readonly drainTimeoutSeconds: number;
  readonly shape: OrderLoadShape;
}

async function post(
  url: string,
  body: { customerId: string },
  record: Sent,
  clients: BenchClients,
): Promise<void> {
  try {
    const res = await fetch(`${url}/orders`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...(await clients.headers(body.customerId)) },
      body: JSON.stringify(body),
      signal: AbortSignal.timeout(30_000),
    });
    const json = (await res.json().catch(() => ({}))) as { orderId?: string };
    record.status = res.status;
    if (res.status === 202 && json.orderId !== undefined) {
      record.orderId = json.orderId;
      clients.placed(json.orderId, body.customerId);
    }
  } catch {
    record.status = 'network';
  } finally {
    record.answeredAt = performance.now();
  }
}

async function getOrder(
  url: string,
  orderId: string,
  clients: BenchClients,
): Promise<OrderTimes | undefined> {
  const res = await fetch(`${url}/orders/${orderId}`, {
    headers: await clients.headersForOrder(orderId),
    signal: AbortSignal.timeout(30_000),
  });
  if (!res.ok) return undefined;
  return (await res.json()) as OrderTimes;
}

/** Waits until every id has an outcome; stragglers the tap has not seen are asked over HTTP. */
async function drain(
  ids: readonly string[],
  deps: StepDeps,
  timeoutMs: number,
  report: (finished: number) => void,
): Promise<void> {
  const deadline = performance.now() + timeoutMs;
  const askedDone = new Set<string>();
  let lastAsk = performance.now();
  for (;;) {
    const missing = ids.filter((id) => !deps.tap.outcome(id) && !askedDone.has(id));
    report(ids.length - missing.length);
    if (missing.length === 0 || performance.now() > deadline) return;
    // A parked order emits no outcome event: look at the oldest few that are still missing.
    if (performance.now() - lastAsk > 5_000) {
      lastAsk = performance.now();
      for (const id of missing.slice(0, 20)) {
        const order = await getOrder(deps.orderServiceUrl, id, deps.clients).catch(() => undefined);
        if (order && TERMINAL.has(order.status)) askedDone.add(id);
      }
    }
    await sleep(250);
  }
}

/**
 * Waits until the platform's groups have caught up (the previous step's backlog, or another
 * suite's traffic), so a step starts from an idle platform; gives up after `timeoutMs`.
 */
export async function settle(
  admin: Admin,
  groups: readonly GroupTopics[],
  timeoutMs: number,
  progress: (line: string) => void,
): Promise<number> {
  const deadline = performance.now() + timeoutMs;
  for (;;) {
    const { total } = await sampleLag(admin, groups, 0);
    if (total <= SETTLED_LAG || performance.now() > deadline) return total;
    progress(`waiting for the platform to catch up: consumer lag ${total}`);
    await sleep(1_000);
  }
}

/** Lag left by offsets committed about once a second on an idle platform. */
const SETTLED_LAG = 100;

export async function runPlatformStep(options: StepOptions, deps: StepDeps): Promise<PlatformStep> {
  const { rate, durationSeconds, shape } = options;
  const total = arrivalCount(rate, durationSeconds);
  await ensureStock(
    deps.inventoryUrl,
    shape.skus,
    unitsNeeded(total, shape.skus.length),
    await deps.clients.headersForOrder('-'),
  );
  deps.tap.clear();

  const sampler = new ResourceSampler(deps.processes);
  const handlersBefore = await readAllHandlers(deps.serviceUrls);
  const commitsBefore = await deps.commits.read();
  await sampler.start();
  const stepStart = performance.now();
  const seconds = () => (performance.now() - stepStart) / 1000;
  const lagSamples: LagSample[] = [await sampleLag(deps.admin, deps.groups, 0)];
  let sampling = true;
  const lagLoop = (async () => {
    while (sampling) {
      await sleep(1_000);
      if (sampling) lagSamples.push(await sampleLag(deps.admin, deps.groups, seconds()));
    }
  })();

  const sent: Sent[] = [];
  const inFlight: Promise<void>[] = [];
  const ticker = setInterval(() => {
    const accepted = sent.filter((s) => s.status === 202).length;
    const lag = lagSamples[lagSamples.length - 1]?.total ?? 0;
    deps.progress(`sent ${sent.length}/${total} · accepted ${accepted} · lag ${lag}`);
  }, 1_000);
  let loop;
  try {
    loop = await runOpenLoop({
      ratePerSecond: rate,
      total,
      clock: realClock,
      fire: (index, dueAt) => {
        const record: Sent = { dueAt };
        sent.push(record);
        const body = orderBody(
          { ...shape, customerId: deps.clients.customer(shape.customerId, index) },
          index,
        );
        inFlight.push(post(deps.orderServiceUrl, body, record, deps.clients));
      },
    });
  } finally {
    clearInterval(ticker);
  }
  // The lag trend is judged over the arrival window; draining only ever shrinks it.
  sampling = false;
  await lagLoop;
  lagSamples.push(await sampleLag(deps.admin, deps.groups, seconds()));
  await Promise.all(inFlight);

  const ids = sent.flatMap((s) => (s.orderId ? [s.orderId] : []));
  await drain(ids, deps, options.drainTimeoutSeconds * 1000, (finished) =>
    deps.progress(`draining: ${finished}/${ids.length} orders finished`),
  );
  const resources = await sampler.stop();
  const windowSeconds = seconds();
  const endSample = await sampleLag(deps.admin, deps.groups, windowSeconds);
  const commitsAfter = await deps.commits.read();
  const handlersAfter = await readAllHandlers(deps.serviceUrls);

  deps.progress(`reading ${ids.length} orders' timestamps`);
  const orders = await mapLimit(ids, 8, (id) =>
    getOrder(deps.orderServiceUrl, id, deps.clients).catch(() => undefined),
  );
  return summarizeStep({
    options,
    sent,
    orders,
    lagSamples,
    generatorLateMs: loop.maxLateMs,
    recordsWritten: endSample.written - (lagSamples[0]?.written ?? endSample.written),
    commits: commitsAfter - commitsBefore,
    windowSeconds,
    resources,
    handlers: Object.fromEntries(
      Object.keys(deps.serviceUrls).map((name) => [
        name,
        handlerTime(
          handlersBefore[name] ?? { count: 0, sumSeconds: 0 },
          handlersAfter[name] ?? { count: 0, sumSeconds: 0 },
        ),
      ]),
    ),
  });
}

async function readAllHandlers(
  urls: Readonly<Record<string, string>>,
): Promise<Record<string, HandlerTotals>> {
  const entries = await Promise.all(
    Object.entries(urls).map(async ([name, url]) => [name, await readHandlerTotals(url)] as const),
  );
  return Object.fromEntries(entries);
}
