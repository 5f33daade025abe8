import { SERVICE_NAMES } from '@orderflow/contracts';
import { componentPid, serviceDatabaseName, serviceUrl, type StackConfig } from '@orderflow/infra';
import { findPostmasters, postgresGroup, type ProcessGroup } from './platform/resources.js';

/** What the benchmark measures on this stack: its endpoints and its processes. */

/** Fails with what to do unless every service answers /health/ready. */
export async function checkServicesReady(config: StackConfig): Promise<void> {
  const notReady: string[] = [];
  await Promise.all(
    SERVICE_NAMES.map(async (service) => {
      const url = `${serviceUrl(config, service)}/health/ready`;
      const res = await fetch(url, { signal: AbortSignal.timeout(5_000) }).catch(() => undefined);
      if (!res?.ok) notReady.push(`${service} (${url}: ${res ? res.status : 'no answer'})`);
    }),
  );
  if (notReady.length > 0) {
    throw new Error(
      `not ready: ${notReady.join(', ')}. The benchmark runs against the local stack: start it with ./dev stack up`,
    );
  }
}

const pids = (pid: number | undefined) => (): Promise<number[]> =>
  Promise.resolve(pid === undefined ? [] : [pid]);

export interface Processes {
  readonly groups: readonly ProcessGroup[];
  /** Components whose process this stack does not run (external): not measured. */
  readonly unmeasured: readonly string[];
}

/**
 * The five services and the Kafka and registry JVMs from the launcher's pid records (.stack/run),
 * the Postgres processes serving the platform's databases, and this process.
 */
export async function platformProcesses(config: StackConfig): Promise<Processes> {
  const groups: ProcessGroup[] = [];
  const unmeasured: string[] = [];
  for (const service of SERVICE_NAMES) {
    const pid = componentPid(config, service);
    if (pid === undefined) unmeasured.push(service);
    groups.push({ name: service, kind: 'service', pids: pids(pid) });
  }
  for (const jvm of ['kafka', 'registry']) {
    const pid = componentPid(config, jvm);
    if (pid === undefined) unmeasured.push(jvm);
    groups.push({ name: jvm, kind: 'jvm', pids: pids(pid) });
  }
  const postmasters = await findPostmasters();
  if (postmasters.length === 0) unmeasured.push('postgres');
  const databases = new Set(SERVICE_NAMES.map((s) => serviceDatabaseName(config, s)));
  groups.push({ name: 'postgres', kind: 'postgres', pids: postgresGroup(postmasters, databases) });
  // Which service's database work costs the most: its backends alone.
  for (const database of databases)
    groups.push({
      name: `  postgres: ${database}`,
      kind: 'database',
      pids: postgresGroup(postmasters, new Set([database]), false),
    });
  groups.push({ name: 'bench (this process)', kind: 'bench', pids: pids(process.pid) });
  return { groups, unmeasured };
}
