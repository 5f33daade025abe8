import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import type { ServiceName } from '@orderflow/contracts';
import { REPO_ROOT, servicePort, type StackConfig } from '../config.js';
import { commandOutput, StackError } from '../errors.js';
import type { ServiceInstance } from '../instances.js';
import {
  marker,
  runningProcess,
  startProcess,
  watchProcess,
  type ProcessRecord,
} from '../process.js';
import { waitUntil } from '../wait.js';

const run = promisify(execFile);

/**
 * Prometheus (`up --with metrics`): Debian's package, installed with apt-get when missing (as
 * root), scraping every service instance of this stack every 5 s, with the alert rules of
 * infra/prometheus/. Its data (one day kept) lives in the stack folder.
 */
export const PROMETHEUS = 'prometheus';
export const ALERT_RULES = path.join(REPO_ROOT, 'infra', 'prometheus', 'alerts.yml');
const BINARY = '/usr/bin/prometheus';

export function prometheusUrl(config: StackConfig): string {
  return `http://${config.host}:${config.prometheusPort}`;
}

/** The Prometheus binary, installed from Debian's archive first if it is missing. */
export async function ensurePrometheus(): Promise<string> {
  if (existsSync(BINARY)) return BINARY;
  if (process.getuid?.() !== 0) {
    throw new StackError(
      'Prometheus is not installed, and only root can install it.',
      'Install it (Debian: sudo apt-get install prometheus), or run without --with metrics.',
    );
  }
  try {
    await run('apt-get', ['update', '-qq']);
    await run('apt-get', ['install', '-y', '-qq', '--no-install-recommends', 'prometheus'], {
      env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' },
      maxBuffer: 16 * 1024 * 1024,
    });
  } catch (error) {
    throw new StackError(
      'Installing Prometheus with apt-get failed.',
      'Run `apt-get install prometheus` yourself to see why, then run the command again.',
      commandOutput(error).split('\n').slice(-10).join('\n'),
      { cause: error },
    );
  }
  return BINARY;
}

/** The scrape configuration: one job per service (job = its name), one target per instance. */
export function prometheusConfig(
  config: StackConfig,
  instances: readonly ServiceInstance[],
  rules: string = ALERT_RULES,
): string {
  const byService = new Map<ServiceName, string[]>();
  for (const { service, index } of instances) {
    const targets = byService.get(service) ?? [];
    targets.push(`${config.host}:${servicePort(config, service, index)}`);
    byService.set(service, targets);
  }
  // JSON is YAML, and needs no YAML library.
  return `${JSON.stringify(
    {
      global: { scrape_interval: '5s', evaluation_interval: '5s' },
      rule_files: [rules],
      scrape_configs: [...byService].map(([service, targets]) => ({
        job_name: service,
        static_configs: [{ targets }],
      })),
    },
    null,
    2,
  )}\n`;
}

function configFile(config: StackConfig): string {
  return path.join(config.stackDir, PROMETHEUS, 'prometheus.yml');
}

/**
 * Writes the configuration and starts Prometheus, or, when it runs already, makes it re-read the
 * configuration (SIGHUP) so a changed `--instances` is scraped. Undefined when it was running.
 */
export async function startPrometheus(
  config: StackConfig,
  binary: string,
  instances: readonly ServiceInstance[],
): Promise<ProcessRecord | undefined> {
  const home = path.join(config.stackDir, PROMETHEUS);
  mkdirSync(home, { recursive: true });
  writeFileSync(configFile(config), prometheusConfig(config, instances));
  const running = runningProcess(config, PROMETHEUS);
  if (running) {
    process.kill(running.pid, 'SIGHUP');
    return undefined;
  }
  // Prometheus refuses flags it does not know, so the launcher's marker is its argv[0].
  return startProcess(
    config,
    PROMETHEUS,
    'bash',
    [
      '-c',
      'exec -a "$0" "$@"',
      marker(config, PROMETHEUS),
      binary,
      `--config.file=${configFile(config)}`,
      `--storage.tsdb.path=${path.join(home, 'data')}`,
      '--storage.tsdb.retention.time=1d',
      `--web.listen-address=${config.host}:${config.prometheusPort}`,
    ],
    home,
  );
}

export async function waitForPrometheus(config: StackConfig, timeoutMs = 60_000): Promise<string> {
  const url = prometheusUrl(config);
  await waitUntil(
    async () => {
      const res = await fetch(`${url}/-/ready`, { signal: AbortSignal.timeout(2_000) });
      if (!res.ok) throw new Error(`HTTP ${res.status}`);
    },
    { what: `Prometheus at ${url}`, timeoutMs, ...watchProcess(config, PROMETHEUS) },
  );
  return url;
}
