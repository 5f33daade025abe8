import path from 'node:path';
import type { ComposeService } from './compose-config.js';
import type { ImageStage } from './dockerfile.js';

/**
 * Which compose services the check runs and in what roles, and where a container's working
 * directory is on this machine. Pure, so the rules are unit-tested without Compose.
 */
export interface ComposePlan {
  /** Ours (built from this repository) that others wait for to exit 0: migrations, topics, ... */
  readonly oneShots: readonly ComposeService[];
  /** Ours that keep running: the services. */
  readonly longRunning: readonly ComposeService[];
}

export function planCompose(
  services: readonly ComposeService[],
  standIns: readonly string[],
): ComposePlan {
  const ours = services.filter((s) => s.build !== undefined);
  const names = new Set(ours.map((s) => s.name));
  const problems: string[] = [];
  for (const service of ours) {
    for (const dependency of Object.keys(service.dependsOn)) {
      if (!names.has(dependency) && !standIns.includes(dependency)) {
        problems.push(
          `${service.name} depends on ${dependency}, which is neither built here nor stood in for`,
        );
      }
    }
  }
  const awaited = new Set(
    ours.flatMap((s) =>
      Object.entries(s.dependsOn)
        .filter(([, condition]) => condition === 'service_completed_successfully')
        .map(([name]) => name),
    ),
  );
  const oneShots = ours.filter((s) => awaited.has(s.name));
  const longRunning = ours.filter((s) => !awaited.has(s.name));
  // The point of the one-shots: no service may start before every one of them has succeeded.
  for (const service of longRunning) {
    for (const oneShot of oneShots) {
      if (service.dependsOn[oneShot.name] !== 'service_completed_successfully') {
        problems.push(
          `${service.name} does not wait for ${oneShot.name} (depends_on: {${oneShot.name}: {condition: service_completed_successfully}})`,
        );
      }
    }
    if (!service.healthcheck) problems.push(`${service.name} has no healthcheck to wait for`);
  }
  for (const oneShot of oneShots) {
    if (!oneShot.command) problems.push(`${oneShot.name} has no command`);
  }
  if (longRunning.length === 0) problems.push('no long-running service is built here');
  if (problems.length > 0) throw new Error(`docker-compose.yml:\n  ${problems.join('\n  ')}`);
  return { oneShots, longRunning };
}

/**
 * The host directory that is a container's working directory. The Dockerfile copies the build
 * context to /repo (the workspace and tools stages) and the runtime stage's /app holds what
 * `pnpm deploy` made of services/$SERVICE: here, that service's folder, built by turbo.
 */
export function hostWorkdir(service: ComposeService, stage: ImageStage): string {
  const build = service.build;
  if (!build) throw new Error(`${service.name} is not built from this repository`);
  if (stage.workdir === '/repo') return build.context;
  if (stage.workdir === '/app' && build.args.SERVICE) {
    return path.join(build.context, 'services', build.args.SERVICE);
  }
  throw new Error(
    `${service.name}: no host folder for the container's WORKDIR ${stage.workdir} (stage ${stage.name}); teach infra/src/compose-check/plan.ts`,
  );
}

/** What the container runs: compose's command after the image's entrypoint, else the image's CMD. */
export function containerArgv(service: ComposeService, stage: ImageStage): string[] {
  return [...stage.entrypoint, ...(service.command ?? stage.cmd)];
}
