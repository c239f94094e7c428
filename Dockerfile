# page-tracker image. Targets:
#   runtime (default)  production dependencies + dist/ on Node 24 slim, non-root 10001:10001
#   test               lint + unit tests run while building (`docker build --target test .`); the image
#                      then runs the smoke suite (compose's `testing` profile uses it)
#   dev                `skaffold dev`'s image (tsx watch; see its comment below)
# Written for both the classic builder (Debian's docker.io: no BuildKit, so no RUN --mount and no
# `# syntax=` line) and buildx. The base is pinned by tag; scripts/ci-machine/standin-images.sh builds a local
# stand-in with the same tag where Docker Hub is out of reach.
# The classic builder builds every stage before the target, so there `docker build .` runs the test
# and dev stages too (a failing lint or unit test fails the build; cached when nothing changed); BuildKit
# builds only what the target needs.

FROM node:24.22.3-bookworm-slim AS deps
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund && npm cache clean --force

FROM deps AS build
COPY tsconfig.json tsconfig.build.json ./
COPY src ./src
RUN npm run build

FROM build AS test
COPY . .
RUN npm run lint && npm run test:unit
USER node
CMD ["npm", "run", "smoke"]

# Pruning the full install drops exactly the devDependencies, with no second download.
FROM deps AS prod-deps
RUN npm prune --omit=dev --no-audit --no-fund && npm cache clean --force

FROM node:24.22.3-bookworm-slim AS runtime
# npm, npx, corepack and yarn are never run in production: removing them removes their CVEs from scans.
RUN rm -rf /usr/local/lib/node_modules /usr/local/bin/npm /usr/local/bin/npx /usr/local/bin/corepack \
      /usr/local/bin/yarn /usr/local/bin/yarnpkg /opt/yarn-*
ARG VERSION=0.0.0-dev
# The git commit and the build time (ISO 8601, e.g. `date -u +%Y-%m-%dT%H:%M:%SZ`): labels, and GET /version.
ARG REVISION=unknown
ARG BUILD_DATE=unknown
ARG SOURCE=https://github.com/page-tracker/page-tracker
LABEL org.opencontainers.image.title="page-tracker" \
      org.opencontainers.image.description="Counts page views in Redis and exposes Prometheus metrics" \
      org.opencontainers.image.licenses="MIT" \
      org.opencontainers.image.source="${SOURCE}" \
      org.opencontainers.image.version="${VERSION}" \
      org.opencontainers.image.revision="${REVISION}" \
      org.opencontainers.image.created="${BUILD_DATE}"
ENV NODE_ENV=production
WORKDIR /app
# Files stay root-owned: the service user can read them, never change them.
COPY package.json ./
COPY --from=prod-deps /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
# src/version.ts reads this for GET /version. Written last: a new commit rebuilds only this small layer.
RUN node -e "require('node:fs').writeFileSync('build-info.json', JSON.stringify({ commit: process.env.REVISION, buildDate: process.env.BUILD_DATE }) + '\\n')"
# Numeric, so Kubernetes' runAsNonRoot can check it without a passwd lookup.
USER 10001:10001
EXPOSE 8080 9100
# No curl in the image: Node's fetch does the probe.
HEALTHCHECK --interval=5s --timeout=3s --start-period=10s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:'+(process.env.PORT||8080)+'/healthz').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"]
# node is PID 1 (the base entrypoint execs it) and the service handles SIGTERM itself: drains, exits 0.
CMD ["node", "dist/server.js"]

# Development image for `skaffold dev` (skaffold.yaml's dev profile): runs src/*.ts with tsx watch, which
# restarts the service whenever Skaffold syncs a changed .ts file, with no image rebuild. The pod's root
# filesystem is read-only, so the sources are copied to /tmp/app (the chart's writable emptyDir, where the
# sync writes too) and tsx keeps its cache under /tmp as well. `cp -n` keeps files synced before a restart.
FROM deps AS dev
COPY tsconfig.json ./
COPY src ./src
USER 10001:10001
EXPOSE 8080 9100
CMD ["/bin/sh", "-c", "mkdir -p /tmp/app && cp -Rn /app/src /app/package.json /app/tsconfig.json /tmp/app/ && ln -sfn /app/node_modules /tmp/app/node_modules && cd /tmp/app && exec node_modules/.bin/tsx watch --clear-screen=false src/server.ts"]

# A plain `docker build .` makes the last stage: keep that the production image, unchanged.
FROM runtime
