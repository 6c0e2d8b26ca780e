# syntax=docker/dockerfile:1
# One image for every hitl app. The app is its first argument (or HITL_APP):
#   docker build -t hitl .
#   docker run --rm hitl router        # escalation, audit, calibrator, gateway, console
# The runtime stage holds the production bundle of scripts/prod-bundle.ts (each workspace's
# build, the manifests and config, `npm ci --omit=dev` for the apps and the CLI), runs as the unprivileged `node`
# user and listens on every interface. CI assembles the same bundle outside Docker and boots
# every app from it (`node -r @swc-node/register scripts/prod-bundle.ts --check`).
ARG NODE_IMAGE=node:24-bookworm-slim

FROM ${NODE_IMAGE} AS build
WORKDIR /src
COPY . .
RUN npm ci --no-audit --no-fund \
 && npm run build \
 && node -r @swc-node/register scripts/prod-bundle.ts --out /bundle

FROM ${NODE_IMAGE} AS runtime
# The heap budget and glibc's allocator settings the tests and benchmarks measure
# (SERVICE_HEAP_FLAGS and SERVICE_MALLOC_ENV, libs/testing/src/launcher.ts): under 256 MiB
# resident per service; unbounded, V8 sizes the heap from the node's memory, and glibc keeps
# freed network buffers in its arenas.
ENV NODE_ENV=production \
    HTTP_HOST=0.0.0.0 \
    NODE_OPTIONS="--max-old-space-size=128 --max-semi-space-size=8" \
    MALLOC_ARENA_MAX=2 \
    MALLOC_MMAP_THRESHOLD_=1048576
WORKDIR /app
# Owned by root, read by `node`: the app cannot change its own code or config.
COPY --from=build /bundle /app
USER node
EXPOSE 3001 3002 3003 3004 3005 3006
ENTRYPOINT ["node", "/app/service.js"]
CMD ["router"]
