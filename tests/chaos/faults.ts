import { readFileSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { SERVICE_NAMES, type ServiceName } from '@orderflow/contracts';
import { crash, logFile, startComponent, waitForExit, type StackConfig } from '@orderflow/infra';
import { KILL_AFTER_COMMIT_ENV } from '@orderflow/messaging/fault-injection';
import { pick, shuffle } from './profile.js';

/**
 * Crashes parts of the chaos stack and brings them back: a service SIGKILLed at a random moment,
 * a service restarted with the after-commit fault armed (it SIGKILLs itself between a handler's
 * commit and its offset commit), the broker SIGKILLed and restarted with its data.
 */
export type Fault = KillFault | { readonly kind: 'broker'; readonly downMs: number };

interface KillFault {
  readonly kind: 'kill';
  readonly service: ServiceName;
  readonly armAfterCommit?: number;
}

// Generous: a TypeScript service boots in ~5 s on an idle two-core machine, 60 s on a busy one.
const READY_TIMEOUT_MS = 180_000;

export interface FaultEvent {
  readonly at: number;
  readonly fault: string;
  readonly target: string;
  /** From the kill until the component answered ready again. */
  readonly downMs: number;
}

/** Every service `killsPerService` times (`armed` of them also after a commit), the broker once. */
export function faultSchedule(
  random: () => number,
  options: { killsPerService: number; armed: number },
): Fault[] {
  const armed = new Set(shuffle(random, SERVICE_NAMES).slice(0, options.armed));
  const kills: Fault[] = SERVICE_NAMES.flatMap((service) =>
    Array.from({ length: options.killsPerService }, (_, i) => ({
      kind: 'kill' as const,
      service,
      // The after-commit kill needs traffic: arm the service's first restart.
      ...(i === 0 && armed.has(service) ? { armAfterCommit: 2 + Math.floor(random() * 10) } : {}),
    })),
  );
  return [
    ...shuffle(random, kills),
    { kind: 'broker', downMs: 2_000 + Math.floor(random() * 4_000) },
  ];
}

export class FaultInjector {
  readonly events: FaultEvent[] = [];
  /** When the last fault struck (its kill), epoch ms. */
  lastFaultAt = 0;

  constructor(
    private readonly config: StackConfig,
    private readonly random: () => number,
    private readonly log: (line: string) => void,
  ) {}

  /**
   * Runs the service faults in `lanes` concurrent lanes (each service always in the same lane,
   * so one service is never killed twice at once): they overlap, as faults do in production, and
   * the schedule takes a fraction of the time (a restarted consumer waits out its dead
   * predecessor's 30 s session before it reads again, which dominates each fault). The broker's
   * outage, at a random moment within `brokerWithinMs`, has the stack to itself: a service
   * started while the broker is down exits at start (kafkajs gives up connecting) and nothing
   * here plays the supervisor that would start it again. Once a lane has run its share of the
   * schedule it goes on killing its services at random while `continueWhile()` holds, so the
   * faults span the whole load instead of ending before it does.
   */
  async run(
    schedule: readonly Fault[],
    options: {
      gapMs: readonly [number, number];
      lanes: number;
      brokerWithinMs: number;
      continueWhile?: () => boolean;
    },
  ): Promise<void> {
    const { gapMs, lanes } = options;
    let inFlight = 0;
    let paused: Promise<void> | undefined;
    const kills = schedule.filter((f): f is KillFault => f.kind === 'kill');
    const lane = async (index: number) => {
      const services = SERVICE_NAMES.filter((_, i) => i % lanes === index);
      const scheduled = kills.filter((f) => services.includes(f.service));
      for (let n = 0; n < scheduled.length || options.continueWhile?.(); n += 1) {
        const fault = scheduled[n] ?? { kind: 'kill', service: pick(this.random, services) };
        await sleep(gapMs[0] + this.random() * (gapMs[1] - gapMs[0]));
        while (paused) await paused;
        inFlight += 1;
        try {
          await this.killService(fault.service, fault.armAfterCommit);
        } finally {
          inFlight -= 1;
        }
      }
    };
    const broker = async (fault: Fault) => {
      if (fault.kind !== 'broker') return;
      await sleep(this.random() * options.brokerWithinMs);
      let resume = () => undefined as void;
      paused = new Promise<void>((resolve) => (resume = resolve));
      try {
        while (inFlight > 0) await sleep(50);
        await this.killBroker(fault.downMs);
      } finally {
        paused = undefined;
        resume();
      }
    };
    await Promise.all([
      ...Array.from({ length: lanes }, (_, i) => lane(i)),
      ...schedule.filter((f) => f.kind === 'broker').map(broker),
    ]);
  }

  private record(fault: string, target: string, at: number): void {
    this.lastFaultAt = Math.max(this.lastFaultAt, at);
    const downMs = Date.now() - at;
    this.events.push({ at, fault, target, downMs });
    this.log(`${fault} ${target}: back in ${(downMs / 1000).toFixed(1)} s`);
  }

  private async killService(service: ServiceName, armAfterCommit?: number): Promise<void> {
    const at = Date.now();
    const killed = await crash(this.config, service);
    if (!killed) throw new Error(`${service} was not running when its kill was due`);
    if (armAfterCommit === undefined) {
      await startComponent(this.config, service, { timeoutMs: READY_TIMEOUT_MS });
      this.record('SIGKILL', service, at);
      return;
    }
    let armedPid: number | undefined;
    try {
      const armed = await startComponent(this.config, service, {
        env: { [KILL_AFTER_COMMIT_ENV]: String(armAfterCommit) },
        timeoutMs: READY_TIMEOUT_MS,
      });
      if (!armed) throw new Error(`${service} did not start armed`);
      armedPid = armed.pid;
    } catch (error) {
      // With a backlog to work off it may reach its N-th commit before it answers ready: then it
      // is gone already, as armed (found by the long run: order-saga died 'before ready').
      if (!this.diedByTheFault(service)) throw error;
    }
    this.record('SIGKILL', service, at);
    // It dies by itself at its N-th commit; the load keeps it busy.
    if (armedPid !== undefined && !(await waitForExit(armedPid, 120_000))) {
      throw new Error(`${service} armed to die at commit ${armAfterCommit} is alive after 120 s`);
    }
    const died = Date.now();
    if (!this.diedByTheFault(service)) {
      throw new Error(
        `${service} died, but not by the after-commit fault; log: ${logFile(this.config, service)}`,
      );
    }
    await startComponent(this.config, service, { timeoutMs: READY_TIMEOUT_MS });
    this.record(`SIGKILL after commit #${armAfterCommit}`, service, died);
  }

  private diedByTheFault(service: ServiceName): boolean {
    return readFileSync(logFile(this.config, service), 'utf8').includes(
      'fault injection: SIGKILL after a handler commit',
    );
  }

  private async killBroker(downMs: number): Promise<void> {
    const at = Date.now();
    if (!(await crash(this.config, 'kafka'))) throw new Error('the chaos broker was not running');
    await sleep(downMs);
    await startComponent(this.config, 'kafka', { timeoutMs: READY_TIMEOUT_MS });
    this.record('SIGKILL', 'kafka (broker)', at);
  }
}
