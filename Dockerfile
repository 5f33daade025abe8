# syntax=docker/dockerfile:1
# One image recipe for every service:
#   docker build --build-arg SERVICE=order-service -t orderflow/order-service .
# (docker compose --profile services build does this for all five), and the tools image of the
# compose one-shots: docker build --target tools -t orderflow/tools .

ARG NODE_IMAGE=node:24-bookworm-slim

FROM ${NODE_IMAGE} AS workspace
ENV CI=true TURBO_TELEMETRY_DISABLED=1
WORKDIR /repo

# pnpm comes from npm at the version package.json pins, as scripts/toolchain.sh installs it.
# Not corepack: it is dropped from Node 25, and it refuses registries or mirrors whose
# metadata carries no signatures ("No compatible signature found").
COPY package.json pnpm-lock.yaml pnpm-workspace.yaml ./
RUN npm install -g --no-audit --no-fund \
      "pnpm@$(node -p 'require("./package.json").packageManager.split("@")[1]')"

# Dependencies are fetched from the lockfile (and the patches it pins) alone, so this layer
# survives source edits.
COPY patches ./patches
RUN pnpm fetch
COPY . .
RUN pnpm install --frozen-lockfile --offline

# The project's own CLIs over the whole workspace, for docker-compose.yml's one-shot services
# (migrations, topics, schema registration: `pnpm stack provision …`, `pnpm schemas register`),
# so compose provisions exactly as `./dev stack up` does. Built only when targeted.
FROM workspace AS tools
USER node
CMD ["pnpm", "stack", "provision", "--help"]

FROM workspace AS build
# Declared late so the layers above are shared by all five services.
ARG SERVICE
RUN test -n "${SERVICE}" && test -f "services/${SERVICE}/package.json" \
    || { echo "Build with --build-arg SERVICE=<name>, one of: $(ls services)" >&2; exit 1; }
RUN pnpm turbo run build --filter="@orderflow/${SERVICE}..."

# pnpm 10 deploy needs inject-workspace-packages=true or --legacy. --legacy ignores the lockfile
# and re-resolves every range against the registry; the injected mode derives the deploy's
# lockfile from ours, so the image gets the locked versions and runs --offline. The setting is
# given to this command only: in the repo, workspace packages stay symlinked for live editing.
RUN pnpm --filter="@orderflow/${SERVICE}" --prod --offline \
      --config.inject-workspace-packages=true deploy /out

FROM ${NODE_IMAGE} AS runtime
ARG SERVICE
LABEL org.opencontainers.image.title="orderflow ${SERVICE}"
# Source maps are emitted by tsc; mapped stack traces point at the .ts lines. The young generation
# is capped as the launcher caps it (infra/src/components/services.ts, SERVICE_NODE_FLAGS).
ENV NODE_ENV=production NODE_OPTIONS="--enable-source-maps --max-semi-space-size=16"
WORKDIR /app
# Owned by root and run as node: the process can read its code but not rewrite it.
COPY --from=build /out ./
USER node
# instrument.js first: tracing must start before the app imports pg and fastify.
CMD ["node", "--import", "./dist/instrument.js", "dist/main.js"]
