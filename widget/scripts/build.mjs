// `npm run build:widget`: build the widget once, deterministically, into widget/build/.
//
//   1. chat-widget.app.js   React + MUI app (IIFE)
//   2. chat-widget.js       the loader (IIFE, plain DOM) with the app's sha384 baked in for SRI
//   3. chat-widget.umd.js   loader + app in one UMD file
//   4. build-info.json      version, each file's bytes/gzip/sha384/sha256, debug IDs, GraphQL operations
//
// The app and the UMD build get a Sentry debug ID (`sentry-cli sourcemaps inject`, the only injector)
// right after each is built and before its digest is taken, so the SRI digest and the published
// bytes include it. The loader gets none: it never reports to Sentry (the app's scoped client does,
// for the app's own frames), and the snippet would cost ~4 % of its 5 KB budget.
// The ID is a hash of the (hidden) source map, so two builds of one commit stay byte-identical;
// `inv release` uploads the maps to Sentry as an artifact bundle, the CDN never gets them.
//
// The version comes from the release: WIDGET_VERSION (default 0.0.0-dev), never from a file.
import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync, readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import path from 'node:path';
import { build } from 'vite';
import react from '@vitejs/plugin-react';
import { digests, operationsDigest } from './digests.mjs';
import { splitOperations } from '../src/api/documents.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const OUT = path.join(ROOT, 'build');
const SEMVER = /^\d+\.\d+\.\d+(?:-[0-9A-Za-z.-]+)?(?:\+[0-9A-Za-z.-]+)?$/;

export const FILES = { loader: 'chat-widget.js', app: 'chat-widget.app.js', umd: 'chat-widget.umd.js' };

function viteConfig({ entry, fileName, format, version, integrity = '', react: withReact, first }) {
  return {
    configFile: false,
    root: ROOT,
    logLevel: 'warn',
    publicDir: false,
    plugins: withReact ? [react()] : [],
    define: {
      // Library mode keeps process.env.* unless told: without this React ships twice (dev + prod).
      'process.env.NODE_ENV': JSON.stringify('production'),
      __WIDGET_VERSION__: JSON.stringify(version),
      __APP_INTEGRITY__: JSON.stringify(integrity),
    },
    build: {
      outDir: OUT,
      emptyOutDir: Boolean(first),
      copyPublicDir: false,
      sourcemap: 'hidden',
      minify: true,
      target: 'es2020',
      reportCompressedSize: false,
      lib: { entry: path.join(ROOT, entry), formats: [format], name: 'BookingChat', fileName: () => fileName },
      rollupOptions: { output: { exports: 'auto' } },
    },
  };
}

const SENTRY_CLI = path.join(ROOT, 'node_modules', '.bin', 'sentry-cli');
const DEBUG_ID = /\/\/# debugId=([0-9a-f-]{36})/;

/** Inject a debug ID into one built script and its (hidden) source map. */
function injectDebugIds(fileName) {
  const paths = [fileName, `${fileName}.map`].map((name) => path.join(OUT, name));
  execFileSync(SENTRY_CLI, ['sourcemaps', 'inject', '--quiet', ...paths], {
    // Offline and hermetic: no .env from the working directory, no update check.
    env: { ...process.env, SENTRY_LOAD_DOTENV: '0', SENTRY_DISABLE_UPDATE_CHECK: 'true' },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
}

export async function buildWidget(version = process.env.WIDGET_VERSION || '0.0.0-dev') {
  if (!SEMVER.test(version)) {
    throw new Error(`WIDGET_VERSION must be a semantic version like 1.4.0 or 1.5.0-beta.2, not "${version}"`);
  }
  await build(viteConfig({ entry: 'src/app/entry.js', fileName: FILES.app, format: 'iife', version, react: true, first: true }));
  injectDebugIds(FILES.app);
  const { sha384 } = digests(readFileSync(path.join(OUT, FILES.app)));
  await build(viteConfig({ entry: 'src/loader/entry.js', fileName: FILES.loader, format: 'iife', version, integrity: sha384 }));
  await build(viteConfig({ entry: 'src/umd.js', fileName: FILES.umd, format: 'umd', version, react: true }));
  injectDebugIds(FILES.umd);

  const files = {};
  for (const name of readdirSync(OUT).sort()) {
    if (name === 'build-info.json') continue;
    const bytes = readFileSync(path.join(OUT, name));
    files[name] = digests(bytes);
    const id = name.endsWith('.js') && bytes.toString('utf8').match(DEBUG_ID);
    if (id) files[name].debug_id = id[1];
  }
  const operations = splitOperations(readFileSync(path.join(ROOT, 'src/api/operations.graphql'), 'utf8'));
  const sorted = Object.fromEntries(Object.keys(operations).sort().map((k) => [k, operations[k]]));
  const info = { version, files, graphql: { operations: sorted, digest: operationsDigest(sorted) } };
  writeFileSync(path.join(OUT, 'build-info.json'), `${JSON.stringify(info, null, 2)}\n`);
  return info;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  buildWidget().then(
    (info) => {
      for (const [name, f] of Object.entries(info.files)) {
        console.log(`${name.padEnd(26)} ${String(f.bytes).padStart(8)} B  gzip ${String(f.gzip_bytes).padStart(7)} B  ${f.sha384}`);
      }
      console.log(`build-info.json            version ${info.version}, graphql ${info.graphql.digest}`);
    },
    (err) => {
      console.error(`build:widget failed: ${err.message}`);
      process.exit(1);
    },
  );
}
