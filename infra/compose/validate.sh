#!/usr/bin/env bash
# Checks docker-compose.yml without a Docker engine: schema, interpolation, merge keys and
# depends_on targets, with and without the `services` profile. Exits non-zero if invalid.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
FILE="$ROOT/docker-compose.yml"
cd "$ROOT"

# Docker Compose v2 (the plugin) is what Docker users run; Debian bookworm only packages v1,
# whose 1.28+ also reads the Compose Specification (no `version:`, profiles, conditions).
if docker compose version >/dev/null 2>&1; then
  compose=(docker compose)
elif command -v docker-compose >/dev/null 2>&1; then
  compose=(docker-compose)
  version="$(docker-compose version --short)"
  if [[ "$(printf '%s\n' 1.28.0 "$version" | sort -V | head -n1)" != 1.28.0 ]]; then
    echo "docker-compose $version predates profiles (1.28); install Docker Compose v2 or a newer v1." >&2
    exit 2
  fi
else
  cat >&2 <<'EOF'
No Docker Compose found. Install one of:
  Docker Compose v2:  https://docs.docker.com/compose/install/ (the docker-compose-plugin package)
  Debian/Ubuntu v1:   sudo apt-get install -y docker-compose   (validates without an engine)
EOF
  exit 2
fi

echo "Validating $FILE with: ${compose[*]} ($("${compose[@]}" version --short 2>/dev/null || echo '?'))"
"${compose[@]}" -f "$FILE" config -q
"${compose[@]}" -f "$FILE" --profile services config -q

# The init script must create exactly the databases the service catalogue names.
catalogue="$(grep -o "database: '[a-z_]*'" packages/contracts/src/services.ts | cut -d"'" -f2 | sort)"
init_sql="$(grep -io 'CREATE DATABASE [a-z_]*' infra/compose/postgres-init.sql | awk '{print $3}' | sort)"
if [[ -z "$catalogue" || "$catalogue" != "$init_sql" ]]; then
  echo "infra/compose/postgres-init.sql does not create the databases in packages/contracts/src/services.ts:" >&2
  diff <(echo "$catalogue") <(echo "$init_sql") >&2 || true
  exit 1
fi

echo "docker-compose.yml is valid (default and --profile services); init databases match the catalogue."
