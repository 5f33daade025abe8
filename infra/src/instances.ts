import { SERVICE_NAMES, type ServiceName } from '@orderflow/contracts';

/**
 * Several instances of a service (`./dev stack up --instances N`): what the launcher calls each
 * one and in which order it starts them. Instance 1 keeps the service's plain name (its pid
 * file, log and port are those of a one-instance stack); instance i is `<service>@i` on the
 * service's port + (i − 1) × INSTANCE_PORT_STEP. All of a service's instances share its database
 * and its consumer group.
 */
export const MAX_INSTANCES = 10;
export const INSTANCE_PORT_STEP = 100;

export type InstanceComponent = ServiceName | `${ServiceName}@${number}`;

export interface ServiceInstance {
  readonly service: ServiceName;
  /** 1-based. */
  readonly index: number;
  /** The launcher's name for it: pid file, log, process marker, status row. */
  readonly component: InstanceComponent;
}

export function serviceInstance(service: ServiceName, index = 1): ServiceInstance {
  if (!Number.isInteger(index) || index < 1 || index > MAX_INSTANCES) {
    throw new RangeError(`instance ${index} of ${service}: instances are 1-${MAX_INSTANCES}`);
  }
  return { service, index, component: index === 1 ? service : `${service}@${index}` };
}

/** The instance a component name stands for, or undefined when it names no service instance. */
export function parseInstance(component: string): ServiceInstance | undefined {
  const match = /^(.+?)(?:@([1-9]\d?))?$/.exec(component);
  const service = SERVICE_NAMES.find((s) => s === match?.[1]);
  if (!service || !match) return undefined;
  const index = match[2] === undefined ? 1 : Number(match[2]);
  // `order-service@1` is not a name the launcher gives: instance 1 is `order-service`.
  if (match[2] !== undefined && index === 1) return undefined;
  return index <= MAX_INSTANCES ? serviceInstance(service, index) : undefined;
}

/** How far instance `index` of a service is moved from the service's port. */
export function instancePortShift(index: number): number {
  return (index - 1) * INSTANCE_PORT_STEP;
}

/**
 * The instances `up` starts, in start order: instance 1 of every service first, so the stack is
 * whole (one of each) before it grows, then instance 2 of every service, and so on.
 */
export function planInstances(
  count: number,
  services: readonly ServiceName[] = SERVICE_NAMES,
): ServiceInstance[] {
  return Array.from({ length: count }, (_, i) =>
    services.map((s) => serviceInstance(s, i + 1)),
  ).flat();
}

/** STACK_INSTANCES or `--instances`: a whole number of instances per service. */
export function parseInstanceCount(raw: string | undefined): number {
  if (raw === undefined || raw === '') return 1;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 1 || n > MAX_INSTANCES) {
    throw new Error(
      `STACK_INSTANCES=${raw} (or --instances) must be a whole number of instances per service, 1-${MAX_INSTANCES}`,
    );
  }
  return n;
}
