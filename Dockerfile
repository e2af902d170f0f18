# The Ramp image: one image, two processes (`ramp worker`, `ramp api`), as docker-compose.yml runs them.
FROM node:20.19.5-bookworm-slim

WORKDIR /app
ENV NODE_ENV=production \
    RAMP_WORKFLOW_BUNDLE=/app/dist/workflow-bundle.js

COPY package.json package-lock.json ./
RUN npm ci --omit=dev --no-audit --no-fund

COPY bin ./bin
COPY src ./src
COPY scripts ./scripts
# Workers load a pre-built workflow bundle: they start fast and run exactly the reviewed workflow code.
RUN npx tsx scripts/build-workflow-bundle.ts dist/workflow-bundle.js

USER node
ENTRYPOINT ["node", "bin/ramp.mjs"]
CMD ["worker"]
