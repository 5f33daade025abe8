import { afterEach, describe, expect, it } from '@jest/globals';
import { join } from 'node:path';
import { subjectPlans } from '../src/tooling/check-schemas.js';
import { RegistryClient } from '../src/tooling/registry-client.js';
import {
  checkSubjectLive,
  registerSubject,
  type SubjectPlan,
} from '../src/tooling/registry-sync.js';
import { loadSchemaDir } from '../src/tooling/schema-files.js';
import { startFakeRegistry, type FakeRegistry } from './support/fake-registry.js';
import { FIXTURES, REPO_SCHEMAS } from './support/schemas.js';

let registry: FakeRegistry | undefined;
afterEach(async () => {
  await registry?.close();
  registry = undefined;
});

const repoPlans = () => subjectPlans(loadSchemaDir(REPO_SCHEMAS).chains);
const orderPlaced = (): SubjectPlan => {
  const plan = repoPlans().find((p) => p.type === 'orders.OrderPlaced');
  if (!plan) throw new Error('orders.OrderPlaced missing');
  return plan;
};

async function registerAll(client: RegistryClient, plans: SubjectPlan[]) {
  const lines: string[] = [];
  const problems: string[] = [];
  for (const plan of plans) {
    const outcome = await registerSubject(client, plan);
    lines.push(...outcome.lines);
    problems.push(...outcome.problems);
  }
  return { lines, problems };
}

describe('register (against an in-memory Confluent-API fake)', () => {
  it('registers every version in order under TopicRecordNameStrategy subjects, with the declared mode', async () => {
    registry = await startFakeRegistry();
    const client = new RegistryClient(registry.url);
    const first = await registerAll(client, repoPlans());
    expect(first.problems).toEqual([]);
    expect(first.lines).toContain(
      'orders.events-orderflow.orders.OrderPlaced v2 → id 9 (registered)',
    );
    const subject = registry.subjects.get('orders.events-orderflow.orders.OrderPlaced');
    expect(
      subject?.schemas.map((s) => (JSON.parse(s) as { fields: unknown[] }).fields.length),
    ).toEqual([4, 5, 6]);
    expect(subject?.compatibility).toBe('FULL_TRANSITIVE');
    expect(
      registry.subjects.get('inventory.commands-orderflow.saga.ReserveInventory')?.compatibility,
    ).toBe('BACKWARD_TRANSITIVE');
    expect(registry.subjects.size).toBe(27);
  });

  it('is a no-op the second time', async () => {
    registry = await startFakeRegistry();
    const client = new RegistryClient(registry.url);
    await registerAll(client, repoPlans());
    registry.requests.length = 0;
    const again = await registerAll(client, repoPlans());
    expect(again.problems).toEqual([]);
    expect(again.lines.every((l) => l.endsWith('(unchanged)'))).toBe(true);
    expect(
      registry.requests.filter((r) => r.endsWith('/versions') && r.startsWith('POST')),
    ).toEqual([]);
  });

  it('sets the mode after v1 when the registry needs the subject to exist first (Apicurio)', async () => {
    registry = await startFakeRegistry({ apicurio: true });
    const outcome = await registerSubject(new RegistryClient(registry.url), orderPlaced());
    expect(outcome.problems).toEqual([]);
    expect(registry.subjects.get(orderPlaced().subject)?.compatibility).toBe('FULL_TRANSITIVE');
    const order = registry.requests.map((r) => r.replace(/\/[^/]*OrderPlaced/, '/S'));
    expect(order.indexOf('POST /subjects/S/versions')).toBeLessThan(
      order.lastIndexOf('PUT /config/S'),
    );
  });

  it('refuses to register over a published version whose file was edited', async () => {
    registry = await startFakeRegistry();
    const plan = orderPlaced();
    registry.subjects.set(plan.subject, {
      schemas: ['{"type":"record","name":"OrderPlaced","fields":[]}'],
    });
    const outcome = await registerSubject(new RegistryClient(registry.url), plan);
    expect(outcome.problems).toEqual([
      'orders.OrderPlaced v1: the registry holds a different schema as version 1; published .avsc files are immutable, add a new version instead',
    ]);
  });
});

describe('check --registry (against the fake)', () => {
  it('passes when the registry holds the files, and asks the registry about new versions', async () => {
    registry = await startFakeRegistry();
    const client = new RegistryClient(registry.url);
    const plan = orderPlaced();
    const v1Only: SubjectPlan = { ...plan, versions: plan.versions.slice(0, 1) };
    await registerSubject(client, v1Only);
    expect(await checkSubjectLive(client, plan)).toEqual([]);

    const incompatible = loadSchemaDir(join(FIXTURES, 'incompatible')).chains[0]?.versions ?? [];
    const broken: SubjectPlan = { ...plan, subject: 'fixture-OrderPlaced', versions: incompatible };
    await registerSubject(client, { ...broken, versions: incompatible.slice(0, 2) });
    const problems = await checkSubjectLive(client, broken);
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatch(
      /^orders\.OrderPlaced v3 is rejected by the registry \(fixture-OrderPlaced\): .*channel/,
    );
  });

  it('reports a subject whose registry mode differs from the manifest', async () => {
    registry = await startFakeRegistry();
    const client = new RegistryClient(registry.url);
    const plan = orderPlaced();
    await registerSubject(client, { ...plan, compatibility: 'NONE' });
    expect(await checkSubjectLive(client, plan)).toEqual([
      'orders.events-orderflow.orders.OrderPlaced: registry compatibility is NONE but the manifest declares FULL_TRANSITIVE; run `./dev schemas register`',
    ]);
  });
});
