# One build, two images: `--target api` and `--target worker` (docker-compose.yml builds
# both). They share every layer and differ only in what they run, expose and probe; the
# last stage, the api, is what a plain `docker build .` produces.
#
# Layers follow `turbo prune --docker`: the dependency install sees only the pruned
# lockfile and package.json files, so it stays cached until dependencies change.

# Node 24, a line with security fixes until 2028; the code also runs on Node 20.19+ (package.json engines).
FROM node:24-bookworm-slim AS base
ENV CI=true TURBO_TELEMETRY_DISABLED=1
# The version in package.json's packageManager field; Corepack cannot verify it offline.
RUN npm install --global pnpm@10.34.9
WORKDIR /app

# The workspace cut down to the two apps and the packages they use.
FROM base AS prune
RUN npm install --global turbo@2.11.11
COPY . .
RUN turbo prune @knocker/api @knocker/worker --docker --out-dir /pruned

# Everything the build needs, compilers included.
FROM base AS deps
COPY --from=prune /pruned/json/ ./
RUN pnpm install --frozen-lockfile

# Only what the apps need at run time.
FROM base AS prod-deps
COPY --from=prune /pruned/json/ ./
RUN pnpm install --frozen-lockfile --prod

FROM deps AS build
COPY --from=prune /pruned/full/ ./
# turbo prune keeps only package.json, turbo.json and the lockfile of the root.
COPY tsconfig.base.json ./
RUN pnpm exec turbo run build --filter=@knocker/api --filter=@knocker/worker \
 && mkdir /out \
 && cp -r --parents apps/*/dist packages/*/dist /out/

FROM node:24-bookworm-slim AS runtime
ENV NODE_ENV=production
WORKDIR /app
COPY --from=prod-deps /app/ ./
COPY --from=build /out/ ./
COPY deploy/docker/healthcheck.mjs ./
# The code stays owned by root: the apps write nothing to disk.
USER node

FROM runtime AS worker
EXPOSE 8001
# Liveness: the worker's own metrics server (METRICS_PORT) answers HEALTH_PATH/_self.
HEALTHCHECK --interval=10s --timeout=5s --start-period=20s --retries=3 CMD ["node", "healthcheck.mjs", "worker"]
# node is PID 1 and gets SIGTERM itself; the worker finishes its deliveries, then exits.
CMD ["node", "--max-semi-space-size=4", "apps/worker/dist/main.js"]

FROM runtime AS api
EXPOSE 8000
HEALTHCHECK --interval=10s --timeout=5s --start-period=20s --retries=3 CMD ["node", "healthcheck.mjs", "api"]
CMD ["node", "--max-semi-space-size=4", "apps/api/dist/main.js"]
