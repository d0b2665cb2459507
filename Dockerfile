# Cairn homeserver image.
#   docker build -t cairn .
#   docker run -p 8008:8008 -p 8448:8448 -v cairn-data:/data -e CAIRN_SERVER_NAME=example.org cairn
# Cairn runs its TypeScript directly on Node 24 (type stripping): there is no compile step, only
# production dependencies to install.

FROM node:24-slim AS deps
WORKDIR /app
COPY package.json package-lock.json ./
# Production dependencies only: the `node` devDependency (a Node 24 for older machines) is not
# needed on an image that already runs Node 24.
RUN npm ci --omit=dev --no-audit --no-fund
# The anchor contract's ABI and bytecode are compiled from contracts/CairnAnchor.sol with the solc
# compiler (a devDependency), not committed. solc goes into a scratch directory, not node_modules,
# so only the artifact reaches the image. In this stage because the build's registry settings
# (CI's CA bundle) are given to this stage's steps.
COPY contracts ./contracts
RUN mkdir /tmp/solc-build && cd /tmp/solc-build \
    && npm init -y >/dev/null && npm pkg set type=module \
    && npm install --no-audit --no-fund \
       "solc@$(node -p "require('/app/package.json').devDependencies.solc")" \
    && cp -r /app/contracts ./contracts && node contracts/build-contract.ts \
    && mkdir -p /app/contracts/generated && cp contracts/generated/*.json /app/contracts/generated/ \
    && cd / && rm -rf /tmp/solc-build

FROM node:24-slim AS runtime
# `openssl` makes the self-signed federation certificate when none is configured
# (federation/transport/openssl-certificates.ts); the slim image does not ship it.
RUN apt-get update && apt-get install -y --no-install-recommends openssl \
    && rm -rf /var/lib/apt/lists/*
ENV NODE_ENV=production \
    CAIRN_DATA_DIR=/data \
    CAIRN_BIND_ADDRESS=0.0.0.0
WORKDIR /app
COPY --from=deps /app/node_modules ./node_modules
COPY package.json ./
COPY bin ./bin
COPY server ./server
COPY federation ./federation
COPY schemas ./schemas
COPY migrations ./migrations
COPY contracts ./contracts
COPY --from=deps /app/contracts/generated ./contracts/generated
RUN mkdir -p /data && chown node:node /data
USER node
VOLUME ["/data"]
EXPOSE 8008 8448
HEALTHCHECK --interval=30s --timeout=5s --start-period=20s \
  CMD ["node", "-e", "fetch('http://127.0.0.1:' + (process.env.CAIRN_CLIENT_PORT || 8008) + '/health').then(r => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
ENTRYPOINT ["node", "bin/cairn.js"]
CMD ["start"]
