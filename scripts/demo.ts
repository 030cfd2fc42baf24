// `npm run demo`: the extension for real, against an embedded demo registry.
//   1. a real registry (Debian's docker-registry) on loopback, filled with sample images:
//      plain, OCI, multi-arch (with an attestation), nested names, a repository with hundreds
//      of tags and a few hundred repositories so paging shows;
//   2. the extension packaged as a .vsix and installed into a real VS Code (code-server);
//   3. the demo registry connected out of the box (the `registryExplorer.registries` setting),
//      and a workspace with deploy configs to link images into;
//   4. the URL to open. Ctrl+C stops everything.
// setup.mjs (run first by the npm script) installs Debian packages, node_modules and code-server.

import { execFileSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { startCodeServer, repoRoot } from '../test/e2e/support/codeServer';
import { seedStandardImages, startRegistry } from '../test/support';
import { seedArtifacts } from '../test/support/artifacts';

async function main(): Promise<void> {
  const wanted = Number(process.env.DEMO_PORT ?? 8080);
  console.log('demo: building and packaging the extension…');
  execFileSync(process.execPath, ['scripts/build.mjs', '--production'], { cwd: repoRoot, stdio: 'inherit' });
  const vsix = join(repoRoot, '.cache', 'registry-explorer-demo.vsix');
  mkdirSync(join(repoRoot, '.cache'), { recursive: true });
  execFileSync(join(repoRoot, 'node_modules/.bin/vsce'), ['package', '--no-dependencies', '--allow-missing-repository', '--skip-license', '-o', vsix], { cwd: repoRoot, stdio: 'inherit' });

  console.log('demo: starting the demo registry…');
  const registry = await startRegistry({ mode: 'plain' });
  await seedStandardImages(registry);
  // What vouches for an image, and what else a registry holds: a Helm chart, a CNAB bundle, a
  // WASM module, a cosign-signed image with an SBOM and provenance, a Notation signature.
  await seedArtifacts(registry.pusher);
  await registry.pusher.pushManyTags('demo/many-tags', 240, { prefix: 'v1.' });
  await registry.pusher.pushManyRepos(Array.from({ length: 260 }, (_, i) => `services/team-${String(Math.floor(i / 20)).padStart(2, '0')}/svc-${String(i).padStart(3, '0')}`));

  const workspace = join(repoRoot, '.cache', 'demo-workspace');
  mkdirSync(join(workspace, 'k8s'), { recursive: true });
  mkdirSync(join(workspace, 'chart'), { recursive: true });
  writeFileSync(
    join(workspace, 'k8s', 'deployment.yaml'),
    `# The web front end. Link an image here from the Registries view:
# right-click a tag → Link Image into Deploy Config.
apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
spec:
  replicas: 2
  selector:
    matchLabels: {app: web}
  template:
    metadata:
      labels: {app: web}
    spec:
      containers:
        - name: web
          image: ${registry.host}/team/frontend/web:main   # pinned by CI
          ports:
            - containerPort: 8080
`,
  );
  writeFileSync(join(workspace, 'compose.yaml'), `services:\n  api:\n    image: "${registry.host}/team/backend/api:v1"\n  cache:\n    image: alpine:3.19\n`);
  writeFileSync(join(workspace, 'chart', 'values.yaml'), `# Helm values\nimage:\n  repository: ${registry.host}/multi/oci-index\n  tag: "latest"\n  pullPolicy: IfNotPresent\n`);

  console.log('demo: starting VS Code (code-server)…');
  const server = await startCodeServer({
    workspace,
    vsix,
    port: wanted,
    settings: {
      'registryExplorer.registries': [{ name: 'Demo registry', url: registry.url }],
      'workbench.colorTheme': 'Default Dark Modern',
    },
  });
  const url = `${server.baseUrl}/?folder=${encodeURIComponent(workspace)}`;
  console.log(`\n  Registry Explorer demo is running.\n\n  Open ${url}\n  (the Registry Explorer icon is in the activity bar; the demo registry at ${registry.url} is already connected)\n\n  Ctrl+C stops the demo.\n`);

  const stop = async (): Promise<void> => {
    console.log('\ndemo: stopping…');
    await server.stop();
    await registry.stop();
    process.exit(0);
  };
  process.on('SIGINT', () => void stop());
  process.on('SIGTERM', () => void stop());
  if (process.env.DEMO_EXIT_AFTER_START) await stop();
  await new Promise(() => undefined);
}

main().catch((e: unknown) => {
  console.error(`demo: ${e instanceof Error ? e.message : String(e)}`);
  process.exit(1);
});
