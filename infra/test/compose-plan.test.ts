import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from '@jest/globals';
import { REPO_ROOT } from '../src/config.js';
import type { ComposeService } from '../src/compose-check/compose-config.js';
import { imageStage, parseDockerfile } from '../src/compose-check/dockerfile.js';
import { containerArgv, hostWorkdir, planCompose } from '../src/compose-check/plan.js';

const stages = parseDockerfile(readFileSync(path.join(REPO_ROOT, 'Dockerfile'), 'utf8'));

function service(name: string, extra: Partial<ComposeService> = {}): ComposeService {
  return {
    name,
    build: { context: REPO_ROOT, dockerfile: 'Dockerfile', args: {} },
    environment: {},
    dependsOn: {},
    mounts: new Map(),
    ...extra,
  };
}

const oneShot = (name: string) => service(name, { command: ['pnpm', 'stack', 'provision', name] });
const waitsFor = (...names: string[]) =>
  Object.fromEntries(names.map((n) => [n, 'service_completed_successfully' as const]));

describe('the repository Dockerfile, as the compose check reads it', () => {
  it('runs a service’s build from /app with the runtime ENV (no --target)', () => {
    const runtime = imageStage(stages);
    expect(runtime.workdir).toBe('/app');
    expect(runtime.cmd).toEqual(['node', '--import', './dist/instrument.js', 'dist/main.js']);
    expect(runtime.env.NODE_OPTIONS).toBe('--enable-source-maps --max-semi-space-size=16');
    const app = service('order-service', {
      build: { context: REPO_ROOT, dockerfile: 'Dockerfile', args: { SERVICE: 'order-service' } },
    });
    expect(hostWorkdir(app, runtime)).toBe(path.join(REPO_ROOT, 'services', 'order-service'));
  });

  it('runs the one-shots in the tools stage over the whole workspace', () => {
    const tools = imageStage(stages, 'tools');
    expect(tools.workdir).toBe('/repo');
    expect(tools.env.CI).toBe('true'); // inherited from the workspace stage
    expect(hostWorkdir(oneShot('topics'), tools)).toBe(REPO_ROOT);
    expect(containerArgv(oneShot('topics'), tools)).toEqual([
      'pnpm',
      'stack',
      'provision',
      'topics',
    ]);
  });

  it('refuses a stage it does not have', () => {
    expect(() => imageStage(stages, 'nope')).toThrow(/no stage nope/);
  });
});

describe('planCompose', () => {
  const standIns = ['kafka', 'postgres'];
  const healthcheck = ['node', '-e', 'process.exit(0)'];

  it('tells the one-shots from the services by what others wait for', () => {
    const plan = planCompose(
      [
        oneShot('migrations'),
        oneShot('topics'),
        service('order-service', {
          dependsOn: { ...waitsFor('migrations', 'topics'), kafka: 'service_healthy' },
          healthcheck,
        }),
        service('kafka', { build: undefined, image: 'apache/kafka:4.1.1' }),
      ],
      standIns,
    );
    expect(plan.oneShots.map((s) => s.name)).toEqual(['migrations', 'topics']);
    expect(plan.longRunning.map((s) => s.name)).toEqual(['order-service']);
  });

  it('refuses a service that may start before a one-shot has succeeded', () => {
    expect(() =>
      planCompose(
        [
          oneShot('migrations'),
          oneShot('schemas'),
          service('order-service', { dependsOn: waitsFor('migrations', 'schemas'), healthcheck }),
          service('order-saga', { dependsOn: waitsFor('migrations'), healthcheck }),
        ],
        standIns,
      ),
    ).toThrow(/order-saga does not wait for schemas/);
  });

  it('refuses a dependency nothing stands in for, and a service without a healthcheck', () => {
    expect(() =>
      planCompose(
        [service('order-service', { dependsOn: { jaeger: 'service_started' } })],
        standIns,
      ),
    ).toThrow(/depends on jaeger[\s\S]*order-service has no healthcheck/);
  });
});
