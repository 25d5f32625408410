# syntax=docker/dockerfile:1
#
# policy-ledger: the REST API (`node bin/policy-ledger.js serve`) on Node.js 20.
#
#   docker build -t policy-ledger:0.1.0 .
#   docker run -p 3000:3000 -v policy-ledger-data:/var/lib/policy-ledger policy-ledger:0.1.0
#
# Without LEDGER_STORE the image runs the embedded store (SQLite) in the volume, and generates the
# log's signing key beside it on first start. docker-compose.yml runs it on EventStoreDB instead.

# ---- builder: dependencies (better-sqlite3 is native), the compiled dist/, then production deps only
FROM node:20.20.2-bookworm-slim AS builder

# prebuild-install fetches better-sqlite3's prebuilt binary; these are the fallback (node-gyp) to compile it
RUN apt-get update \
  && apt-get install -y --no-install-recommends python3 make g++ \
  && rm -rf /var/lib/apt/lists/*

WORKDIR /app

# dependencies first, so this layer is reused while only the sources change; --ignore-scripts skips the
# `prepare` build (the sources are not here yet), so better-sqlite3's own install script runs on its own
COPY package.json package-lock.json ./
RUN npm ci --ignore-scripts --no-audit --no-fund \
  && npm rebuild better-sqlite3 \
  && node -e "new (require('better-sqlite3'))(':memory:').prepare('select 1').get()"

COPY tsconfig.json tsconfig.build.json ./
COPY events ./events
COPY projections ./projections
COPY src ./src
RUN npm run build \
  && npm prune --omit=dev --no-audit --no-fund

# ---- runtime: no compilers, no dev dependencies, not root
FROM node:20.20.2-bookworm-slim AS runtime

ENV NODE_ENV=production \
    HOST=0.0.0.0 \
    PORT=3000 \
    LEDGER_STORE=sqlite:/var/lib/policy-ledger/ledger.sqlite

WORKDIR /app

# the application's files stay owned by root: the `node` user (uid 1000) can read them, not change them
COPY --from=builder /app/node_modules ./node_modules
COPY --from=builder /app/dist ./dist
COPY bin ./bin
COPY data ./data
COPY package.json ./

# the embedded store, its lock and its signing key; a named volume takes this owner on first use
RUN mkdir -p /var/lib/policy-ledger && chown node:node /var/lib/policy-ledger
VOLUME /var/lib/policy-ledger

USER node

EXPOSE 3000

# ready = projections caught up with the store (503 while catching up or disconnected from EventStoreDB);
# the slim image has no curl, so Node's own fetch asks
HEALTHCHECK --interval=10s --timeout=5s --start-period=30s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:' + (process.env.PORT || 3000) + '/ready').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]

CMD ["node", "bin/policy-ledger.js", "serve"]
