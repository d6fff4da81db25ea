# octane-emulator container image.
#   docker build -t octane-emulator .
#   docker run -p 8080:8080 octane-emulator
# The base image is a build argument so that CI can pick the Node LTS it wants; every stage uses it,
# so the native SQLite addon is built for the runtime it runs on. The default is Node 22 LTS: on
# Node 24.19-24.21, better-sqlite3 12 (the last major that runs on Node 20) aborts the process when
# a prepared statement is garbage collected; 24.22 and later are fine (docs/decisions.md).
ARG NODE_IMAGE=node:22-bookworm-slim

# Toolchain for better-sqlite3's native addon, when no prebuilt binary matches, and the npm that
# wrote package-lock.json (npm 11.6 fails to install a dev dependency's dependency, sshpk).
FROM ${NODE_IMAGE} AS toolchain
ARG NPM_VERSION=11.19.1
RUN apt-get update && apt-get install -y --no-install-recommends python3 make g++ && rm -rf /var/lib/apt/lists/*
RUN npm install -g npm@${NPM_VERSION} && npm cache clean --force
WORKDIR /app
COPY package.json package-lock.json ./

# Build: every dependency, then the TypeScript compile.
FROM toolchain AS build
RUN npm ci
COPY tsconfig.json tsconfig.build.json ./
COPY src ./src
COPY migrations ./migrations
COPY scripts/bundle.mjs ./scripts/
RUN npm run build

# Runtime dependencies only.
FROM toolchain AS deps
RUN npm ci --omit=dev && npm cache clean --force

FROM ${NODE_IMAGE}
ENV NODE_ENV=production \
    OCTANE_EMULATOR_DB=/data/octane-emulator.db \
    OCTANE_EMULATOR_HOST=0.0.0.0 \
    OCTANE_EMULATOR_PORT=8080
WORKDIR /app
COPY --from=deps /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
COPY package.json ./
COPY bin ./bin
COPY fixtures ./fixtures
RUN mkdir -p /data && chown node:node /data
# not root: the image's own unprivileged user
USER node
VOLUME ["/data"]
EXPOSE 8080
HEALTHCHECK --interval=10s --timeout=3s --start-period=5s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:'+(process.env.OCTANE_EMULATOR_PORT||8080)+'/__admin/health').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"]
# node is PID 1 here: the emulator handles SIGTERM and SIGINT itself and stops gracefully
STOPSIGNAL SIGTERM
CMD ["node", "bin/octane-emulator.js"]
