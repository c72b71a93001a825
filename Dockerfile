# The Tidings relay as a container: the production build (plain JavaScript, production
# dependencies only) on Node 24, run as an unprivileged user with its data in a volume.
#
#   docker build -t tidings-relay .
#   docker run -d --name tidings -p 8787:8787 -v tidings-data:/data tidings-relay
#   docker exec tidings tidings-relay pair
#
# By default it listens on 0.0.0.0:8787 with a generated self-signed certificate (its fingerprint
# is in the log). Behind Caddy, see compose.yaml; more in docs/deploy.md.
#
# NODE_IMAGE must provide node 24 and npm on Debian (glibc); `npm run check:image` can build one
# without a registry pull (scripts/check-image.mjs).
ARG NODE_IMAGE=docker.io/library/node:24-bookworm-slim

FROM ${NODE_IMAGE} AS build
WORKDIR /src
# Dependencies first, so source edits do not invalidate this layer. --ignore-scripts: the root
# postinstall runs wxt (the extension, not built here) and better-sqlite3 ships an N-API prebuild.
COPY package.json package-lock.json ./
RUN --mount=type=cache,target=/root/.npm npm ci --ignore-scripts --no-audit --no-fund
COPY tsconfig.json ./
COPY scripts/build-relay.mjs scripts/healthcheck.mjs scripts/
COPY shared/ shared/
COPY relay/ relay/
RUN --mount=type=cache,target=/root/.npm node scripts/build-relay.mjs --out-dir /app/dist \
  && cp package.json package-lock.json /app/ \
  && mkdir -p /app/scripts && cp scripts/healthcheck.mjs /app/scripts/ \
  && cd /app && npm ci --omit=dev --ignore-scripts --no-audit --no-fund --prefer-offline

FROM ${NODE_IMAGE} AS runtime
# npm is not needed at run time. A system user without a login shell owns only the data directory.
RUN rm -rf /usr/local/lib/node_modules/npm /usr/local/bin/npm /usr/local/bin/npx \
  && groupadd --system tidings \
  && useradd --system --gid tidings --home-dir /data --no-create-home --shell /usr/sbin/nologin tidings \
  && mkdir -p /data && chown tidings:tidings /data && chmod 0700 /data
COPY --from=build /app /app
RUN ln -s /app/dist/relay/src/main.js /usr/local/bin/tidings-relay && chmod 0755 /app/dist/relay/src/main.js
ENV NODE_ENV=production \
  TIDINGS_DATA_DIR=/data \
  TIDINGS_PORT=8787
USER tidings
WORKDIR /app
VOLUME ["/data"]
EXPOSE 8787
HEALTHCHECK --interval=30s --timeout=5s --start-period=20s --retries=3 CMD ["node", "/app/scripts/healthcheck.mjs"]
ENTRYPOINT ["node", "/app/dist/relay/src/main.js"]
CMD ["start", "--host", "0.0.0.0", "--tls-self-signed"]
