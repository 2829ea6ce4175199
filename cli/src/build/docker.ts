/**
 * `reprise build --docker`: a Dockerfile that copies the tested build folder into `node:20-slim` and starts it as
 * the image's non-root `node` user, with a HEALTHCHECK on `/__reprise/healthz` (the one tool route answered to
 * anyone; it carries no data), and a .dockerignore. Nothing is installed or compiled in the image: the folder is
 * already complete (its addon is built for linux-x64 with glibc, which node:20-slim is).
 */
export function dockerFiles(appId: string): Record<string, string> {
  const dockerfile = `# Production image of the Reprise app '${appId}' (written by \`reprise build --docker\`).
#   docker build -t ${appId.toLowerCase().replace(/[^a-z0-9._-]+/g, "-")} .
#   docker run -p 8080:8080 -v $PWD/prod.config.json:/config.json:ro -e REPRISE_CONFIG=/config.json <image>
FROM node:20-slim
ENV NODE_ENV=production \\
    REPRISE_ENV=production \\
    REPRISE_HOST=0.0.0.0 \\
    PORT=8080
WORKDIR /app
COPY --chown=node:node . /app
USER node
EXPOSE 8080
HEALTHCHECK --interval=15s --timeout=3s --start-period=30s --retries=3 \\
  CMD ["node", "-e", "fetch('http://127.0.0.1:' + (process.env.PORT || 8080) + '/__reprise/healthz').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
STOPSIGNAL SIGTERM
CMD ["node", "main.mjs"]
`;
  const dockerignore = `# Not part of the image: Docker's own files and anything local a deployment must not bake in.
Dockerfile
.dockerignore
*.config.json
.env
.env.*
.secrets.local.cue
app/.reprise
`;
  return { Dockerfile: dockerfile, ".dockerignore": dockerignore };
}
