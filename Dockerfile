# Build: compile TypeScript to dist/ with the dev dependencies.
FROM node:20-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json tsconfig.json tsconfig.build.json ./
COPY patches ./patches
COPY scripts ./scripts
COPY src ./src
RUN npm ci --no-audit --no-fund

# Run: production dependencies and the compiled JavaScript only (no TypeScript loader at run time).
FROM node:20-bookworm-slim
WORKDIR /app
ENV NODE_ENV=production HOST=0.0.0.0 PORT=8080 TAILAPI_DATA_DIR=/data
COPY package.json package-lock.json ./
COPY patches ./patches
COPY scripts ./scripts
RUN npm ci --omit=dev --no-audit --no-fund && npm cache clean --force
COPY --from=build /app/dist ./dist
COPY bin ./bin
RUN mkdir -p /data && chown node:node /data
USER node
EXPOSE 8080
CMD ["node", "dist/cli.js", "serve"]
