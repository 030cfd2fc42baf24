// Builds every bundle with esbuild:
//   dist/extension.js      the extension host bundle (Node, CommonJS, `vscode` external)
//   dist/network.js        providers, registry client, undici: required on the first request
//   dist/providers.js      the cloud providers, required on first use
//   dist/semver.js         semver's coerce and parse, required by the tag order on first need
//   dist/nameListWorker.js the worker thread that reads huge listing pages (src/registry/offThread.ts)
//   dist/find.js           Find's picker and reveal, required on the command's first use
//   dist/link.js           the Link Image command's flow and pickers, required on its first use
//   dist/wizard.js         the Connect Registry wizard's panel and controller, on its first open
//   dist/writes.js         copy image, add tag, delete repository: on the first of them
//   dist/artifacts.js      referrer payloads, chart files, Link Chart, CNAB bundle: likewise
//   dist/deploy.js, dist/language.js  the deploy engine and the deploy-file language features
//   dist/sdk/*.js          heavy provider SDKs, each its own bundle, required only when a
//                          registry of that kind is used (keeps activation fast)
//   dist/webview/main.js   the wizard page (browser, ESM) + codicons
//   out/test/suite/index.js  the in-extension-host test suite (mocha)
import * as esbuild from 'esbuild';
import { cpSync, mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const watch = process.argv.includes('--watch');
const production = process.argv.includes('--production');

// The provider modules import these by name; in the bundle they resolve to a sibling
// file that is loaded on first use. Under plain Node (tests) they resolve normally.
const lazySdks = {
  '@aws-sdk/client-ecr': 'sdk/client-ecr.js',
  'google-auth-library': 'sdk/google-auth-library.js',
};

/** @type {esbuild.Plugin} */
const lazySdkPlugin = {
  name: 'lazy-sdk',
  setup(build) {
    const filter = new RegExp(`^(${Object.keys(lazySdks).map((s) => s.replace(/[/.]/g, '\\$&')).join('|')})$`);
    build.onResolve({ filter }, (args) => ({ path: './' + lazySdks[args.path], external: true }));
  },
};

// undici compiles its HTTP parser from one of two embedded WebAssembly builds: SIMD, or a
// fallback for engines without SIMD. Every Node that VS Code ships has SIMD, so the fallback
// (70 KB) is left out of the extension bundle; should it ever be needed, the error says why.
/** @type {esbuild.Plugin} */
const simdOnlyPlugin = {
  name: 'llhttp-simd-only',
  setup(build) {
    build.onResolve({ filter: /llhttp-wasm\.js$/ }, () => ({ path: 'llhttp-wasm', namespace: 'simd-only' }));
    build.onLoad({ filter: /.*/, namespace: 'simd-only' }, () => ({
      contents: "throw new Error('WebAssembly SIMD is not available: this build of Registry Explorer needs it for its HTTP parser.');",
      loader: 'js',
    }));
  },
};

/**
 * A lazily loaded sibling bundle: `require(request)` issued in `importer` (a path ending) is left
 * to run time as `require('./file')`, the bundle built from that module on its own.
 * @returns {esbuild.Plugin}
 */
function lazyBundle(request, importer, file) {
  const filter = new RegExp(`^${request.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}$`);
  return {
    name: `lazy-${file}`,
    setup(build) {
      build.onResolve({ filter }, (args) => (args.importer.endsWith(importer) && args.kind === 'require-call' ? { path: `./${file}`, external: true } : undefined));
    },
  };
}

// The deploy layer and the YAML parser under it (about 100 KB) are needed only when the user
// links an image or hovers one: src/ui/link/deploy.ts requires it on first use, and here that
// require becomes the sibling bundle dist/deploy.js.
const lazyDeployPlugin = lazyBundle('../../deploy', '/src/ui/link/deploy.ts', 'deploy.js');

// The language features (completion, diagnostics, quick fixes in deploy files): built on the
// first deploy file opened; src/ui/language/index.ts requires ./features then, and here that
// require becomes the sibling bundle dist/language.js.
const lazyLanguagePlugin = lazyBundle('./features', '/src/ui/language/index.ts', 'language.js');

// Same for the cloud providers (a quarter of the extension's code): src/providers/index.ts
// requires ./cloud when a provider other than Generic is first asked for; here that becomes
// dist/providers.js. It carries its own copy of the registry layer it builds on, so nothing in
// the main bundle may rely on `instanceof` for objects that come from it (errors are
// recognised by name: isRegistryError).
const lazyProvidersPlugin = lazyBundle('./cloud', '/src/providers/index.ts', 'providers.js');

// The network side (providers, registry client, schemas, undici: most of the extension's
// weight) is needed only for the first request: src/ui/network.ts requires it then, and here
// that require becomes the sibling bundle dist/network.js. Activation loads the VS Code side
// alone, and the tree paints its cached listing before the network side is loaded.
const lazyNetworkPlugin = lazyBundle('../providers/network', '/src/ui/network.ts', 'network.js');

// semver (10 KB), which the tag order needs only for tags its own pattern leaves alone
// (`1.25`, `3.19-alpine`): src/ui/tree/sort.ts requires ./semverFunctions then, here the sibling
// bundle dist/semver.js, so activation does not parse it.
const lazySemverPlugin = lazyBundle('./semverFunctions', '/src/ui/tree/sort.ts', 'semver.js');

// Find's picker and reveal: src/ui/commands/find.ts requires ./findCommand on the command's
// first use, here the sibling bundle dist/find.js.
const lazyFindPlugin = lazyBundle('./findCommand', '/src/ui/commands/find.ts', 'find.js');

// The command flows not needed at activation, each registered by a stub that requires its module
// on first use (here each such require becomes the sibling bundle): Link Image's flow and
// pickers (src/ui/link/index.ts → ./command), the wizard panel (src/ui/wizard/open.ts → ./panel),
// the commands that write to a registry (src/ui/commands/writes.ts → ./writeCommands), and the
// commands on what lies behind a tag (src/ui/commands/artifacts.ts → ./artifactCommands).
const lazyLinkPlugin = lazyBundle('./command', '/src/ui/link/index.ts', 'link.js');
const lazyWizardPlugin = lazyBundle('./panel', '/src/ui/wizard/open.ts', 'wizard.js');
const lazyWritesPlugin = lazyBundle('./writeCommands', '/src/ui/commands/writes.ts', 'writes.js');
const lazyArtifactsPlugin = lazyBundle('./artifactCommands', '/src/ui/commands/artifacts.ts', 'artifacts.js');

// `import * as vscode from 'vscode'` becomes, in every one of the ~35 modules that says it,
// `__toESM(require("vscode"))`: a require through VS Code's loader hook and a getter defined for
// each of the API's few hundred names, thousands in all, at activation (the largest item in a
// CPU profile of loading dist/extension.js). Here 'vscode' is one bundled module, required
// once, whose exports object has the API as its prototype and no own names to copy.
/** @type {esbuild.Plugin} */
const vscodeOncePlugin = {
  name: 'vscode-once',
  setup(build) {
    build.onResolve({ filter: /^vscode$/ }, (args) => (args.namespace === 'vscode-once' ? { path: 'vscode', external: true } : { path: 'vscode', namespace: 'vscode-once' }));
    build.onLoad({ filter: /.*/, namespace: 'vscode-once' }, () => ({ contents: 'module.exports = Object.create(require("vscode"));', loader: 'js' }));
  },
};

const common = {
  bundle: true,
  sourcemap: production ? false : 'linked',
  minify: production,
  logLevel: 'info',
  absWorkingDir: root,
};

const builds = [
  {
    ...common,
    entryPoints: { extension: 'src/extension.ts' },
    outdir: 'dist',
    platform: 'node',
    format: 'cjs',
    target: 'node20',
    plugins: [lazySdkPlugin, simdOnlyPlugin, lazyDeployPlugin, lazyProvidersPlugin, lazyNetworkPlugin, lazyLanguagePlugin, lazySemverPlugin, lazyFindPlugin, lazyLinkPlugin, lazyWizardPlugin, lazyWritesPlugin, lazyArtifactsPlugin, vscodeOncePlugin],
    external: ['vscode'],
    metafile: true,
  },
  // The command flows and the deploy-file language features, loaded on first use; the bundles
  // they build on (deploy layer, network side, semver) are the extension's own lazy ones.
  {
    ...common,
    entryPoints: {
      find: 'src/ui/commands/findCommand.ts',
      link: 'src/ui/link/command.ts',
      wizard: 'src/ui/wizard/panel.ts',
      writes: 'src/ui/commands/writeCommands.ts',
      artifacts: 'src/ui/commands/artifactCommands.ts',
      language: 'src/ui/language/features.ts',
    },
    outdir: 'dist',
    platform: 'node',
    format: 'cjs',
    target: 'node20',
    plugins: [lazySdkPlugin, simdOnlyPlugin, lazyDeployPlugin, lazyProvidersPlugin, lazyNetworkPlugin, lazySemverPlugin, vscodeOncePlugin],
    external: ['vscode'],
    metafile: true,
  },
  {
    ...common,
    entryPoints: { network: 'src/providers/network.ts' },
    outdir: 'dist',
    platform: 'node',
    format: 'cjs',
    target: 'node20',
    plugins: [lazySdkPlugin, simdOnlyPlugin, lazyProvidersPlugin],
    external: ['vscode'],
    metafile: true,
  },
  {
    ...common,
    entryPoints: { ...Object.fromEntries(Object.entries(lazySdks).map(([pkg, out]) => [out.replace(/\.js$/, ''), pkg])), deploy: 'src/deploy/index.ts', semver: 'src/ui/tree/semverFunctions.ts', nameListWorker: 'src/registry/nameListWorker.ts' },
    outdir: 'dist',
    platform: 'node',
    format: 'cjs',
    target: 'node20',
    external: ['vscode'],
  },
  {
    ...common,
    entryPoints: { providers: 'src/providers/cloud.ts' },
    outdir: 'dist',
    platform: 'node',
    format: 'cjs',
    target: 'node20',
    plugins: [lazySdkPlugin, simdOnlyPlugin],
    external: ['vscode'],
    metafile: true,
  },
  {
    ...common,
    entryPoints: { main: 'webview/main.ts' },
    outdir: 'dist/webview',
    platform: 'browser',
    format: 'esm',
    target: 'es2022',
  },
  {
    ...common,
    entryPoints: { index: 'test/host/index.ts' },
    outdir: 'out/test/suite',
    platform: 'node',
    format: 'cjs',
    target: 'node20',
    external: ['vscode', 'mocha'],
    sourcemap: 'inline',
    minify: false,
  },
];

function copyAssets() {
  mkdirSync(join(root, 'dist/webview'), { recursive: true });
  for (const f of ['codicon.css', 'codicon.ttf']) {
    cpSync(join(root, 'node_modules/@vscode/codicons/dist', f), join(root, 'dist/webview', f));
  }
}

copyAssets();
if (watch) {
  const contexts = await Promise.all(builds.map((b) => esbuild.context(b)));
  await Promise.all(contexts.map((c) => c.watch()));
  console.log('watching…');
} else {
  const results = await Promise.all(builds.map((b) => esbuild.build(b)));
  if (process.argv.includes('--meta')) {
    console.log(await esbuild.analyzeMetafile(results[0].metafile));
  }
}
