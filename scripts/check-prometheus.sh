#!/usr/bin/env bash
# Checks infra/prometheus/: the launcher's generated scrape configuration (promtool check config)
# and every alert rule against its unit tests (promtool test rules). Installs Debian's prometheus
# package (which ships promtool) when it is missing and we are root. Run: ./dev -s check:prometheus
set -euo pipefail
cd "$(dirname "$0")/.."

if ! command -v promtool >/dev/null; then
  if [ "$(id -u)" != 0 ]; then
    echo "promtool is missing: install Debian's prometheus package (sudo apt-get install prometheus)" >&2
    exit 1
  fi
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends prometheus >/dev/null
fi

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
# The configuration `stack up --with metrics` writes, here for two instances of every service.
(cd infra && tsx --conditions=@orderflow/source --input-type=module -e "
import { SERVICE_NAMES } from '@orderflow/contracts';
import { loadStackConfig } from './src/config.ts';
import { prometheusConfig } from './src/components/prometheus.ts';
import { planInstances } from './src/instances.ts';
process.stdout.write(prometheusConfig(loadStackConfig(), planInstances(2, SERVICE_NAMES)));
") > "$work/prometheus.yml"
grep -q '"job_name": "order-saga"' "$work/prometheus.yml" || { echo "generated config has no order-saga job" >&2; exit 1; }
promtool check config "$work/prometheus.yml"
promtool test rules infra/prometheus/*.test.yml
