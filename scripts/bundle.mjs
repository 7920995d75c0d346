// `npm run build`, after tsc: the CLI bundled by esbuild into dist/bin/, with dist/cli.js (the
// package's bin, and the path the README gives) importing it.
//
// Why: node's ESM loader resolves, reads, compiles and links each of the ~45 files that
// `rl-run --version` loaded (~40 of them yargs and its helpers), ~80 more for `logs`; on a
// `logs -n 100` that was more CPU than the command (cpu profile: esm/loader ~85 ms of ~200 ms).
// One file per command plus shared chunks keeps the commands loaded lazily.
//
// Everything else stays as tsc wrote it: dist/index.js (+ .d.ts) for defineConfig, dist/runner/main.js
// (pm2 runs it) and the modules a config imports.
import { existsSync } from 'node:fs';
import { chmod, readFile, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const OUT = path.join(ROOT, 'dist', 'bin');

let esbuild;
try {
  esbuild = await import('esbuild');
} catch {
  console.error("bundle: esbuild is not installed (a devDependency): run 'npm install'");
  process.exit(1);
}

/**
 * Code that finds files next to itself through import.meta.url (the runner script, the metrics
 * worker, package.json, the package entry a config's `import 'rl-run'` gets; yargs its locales)
 * must still find them once it sits in a chunk of dist/bin/: each use becomes the URL the module
 * would have had where it came from.
 */
const standIns = [];

/**
 * string-width (yargs' help layout) builds Unicode tables when it is loaded: an Intl.Segmenter in
 * each of its three copies and the `\p{RGI_Emoji}` set, ~25 ms of CPU on every start (cpu profile
 * of `rl-run ls`), for text that is ASCII (its fast path) or never laid out at all. Built on first
 * use instead. Should string-width change, the bundle is still right, only slower: said at build.
 */
const LAZY = [
  ['const segmenter = new Intl.Segmenter();', 'const segmenter = { segment: (text) => (segmenter.built ??= new Intl.Segmenter()).segment(text) };'],
  ['const rgiEmojiRegex = /^\\p{RGI_Emoji}$/v;', "const rgiEmojiRegex = { test: (text) => (rgiEmojiRegex.built ??= new RegExp('^\\\\p{RGI_Emoji}$', 'v')).test(text) };"],
];

const patches = {
  name: 'import-meta-url-and-lazy-tables',
  setup(build) {
    build.onLoad({ filter: /\.(ts|mjs|js)$/ }, async (args) => {
      const file = args.path.split(path.sep).join('/');
      const original = await readFile(args.path, 'utf8');
      let text = original;
      if (file.endsWith('/string-width/index.js')) {
        if (!text.includes(LAZY[0][0])) console.warn(`bundle: ${file} no longer builds its segmenter as scripts/bundle.mjs expects: it is loaded as it is (slower start)`);
        for (const [eager, lazy] of LAZY) text = text.replace(eager, () => lazy);
      }
      if (text.includes('import.meta.url')) {
        const url = originalUrl(file);
        if (url !== undefined) text = text.replaceAll('import.meta.url', () => `(${url})`);
      }
      return text === original ? undefined : { contents: text, loader: file.endsWith('.ts') ? 'ts' : 'js' };
    });
  },
};

/** `file`: an absolute path, with forward slashes. */
function originalUrl(file) {
  const source = path.posix.relative(ROOT.split(path.sep).join('/'), file);
  // src/a/b.ts was dist/a/b.js (tsc wrote it, and what it points at, just before); the chunks are in dist/bin/.
  if (source.startsWith('src/')) {
    const built = source.slice(4).replace(/\.ts$/, '.js');
    standIns.push(path.join(ROOT, 'dist', built));
    return `new URL(${JSON.stringify(`../${built}`)}, import.meta.url).href`;
  }
  // Its locales directory (y18n) and the package it belongs to, wherever yargs is installed.
  if (file.endsWith('/node_modules/yargs/lib/platform-shims/esm.mjs')) return `new URL("./lib/platform-shims/esm.mjs", import.meta.resolve("yargs")).href`;
  // createRequire for `.config()` files, which rl-run does not use: any file URL will do.
  if (file.endsWith('/node_modules/yargs-parser/build/lib/index.js')) return undefined;
  throw new Error(`${file} uses import.meta.url: say in scripts/bundle.mjs where it should point once bundled`);
}

await rm(OUT, { recursive: true, force: true });
await esbuild.build({
  absWorkingDir: ROOT,
  entryPoints: { cli: 'src/cli.ts' },
  outdir: OUT,
  chunkNames: '[name]-[hash]',
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  // Loaded only by the commands that need them, and large: they stay in node_modules.
  external: ['pm2', 'jiti', 'cosmiconfig'],
  plugins: [patches],
  logLevel: 'warning',
});
// Each module that looks next to itself does so from where tsc put it: that must be there.
const missing = standIns.filter((file) => !existsSync(file));
if (missing.length) {
  console.error(`bundle: ${missing.map((file) => path.relative(ROOT, file)).join(', ')} missing: run tsc -p tsconfig.build.json first (npm run build does)`);
  process.exit(1);
}
const bin = path.join(ROOT, 'dist', 'cli.js');
await writeFile(bin, "#!/usr/bin/env node\n// The CLI is bundled in dist/bin/ (scripts/bundle.mjs); this is the path package.json's bin names.\nimport './bin/cli.js';\n");
await chmod(bin, 0o755);
