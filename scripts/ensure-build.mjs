#!/usr/bin/env node
/**
 * Builds dist/ when, and only when, its sources changed: `npm start`, `npm run cli`, `npm test` and the
 * benchmarks run it first. `npm run build` runs it with --force.
 *
 *   node scripts/ensure-build.mjs [--force] [--root <project directory>]
 *
 * "Changed" is decided by content, not by modification times: a SHA-256 over the path and bytes of every
 * input (src/**\/*.ts except specs, *.scss, *.json, the tsconfigs, package.json and its lockfile), compared
 * with the one written to dist/.build-inputs after the last successful build. Times lie too often here: an
 * archive or `cp -p` restores old ones, a clock differs between a host and its VM, a file deleted changes no
 * time at all. Hashing the ~300 inputs takes about 15 ms.
 *
 * Everything it prints goes to stderr, so that `npm run -s cli -- dev token` still prints only the token. Up
 * to date, it prints nothing. On a terminal a line counts the seconds while tsc works; elsewhere (CI, a pipe)
 * there is one line per step and no escape codes.
 */
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { performance } from 'node:perf_hooks';
import process from 'node:process';
import { clearInterval, setInterval } from 'node:timers';
import { fileURLToPath } from 'node:url';

const TOP_LEVEL_INPUTS = ['tsconfig.json', 'tsconfig.build.json', 'package.json', 'package-lock.json'];
/** Spec files are left out of the build (tsconfig.build.json), so editing one changes nothing in dist. */
const isSourceInput = (name) => /\.(ts|scss|json)$/.test(name) && !name.endsWith('.spec.ts');
/** What a build must leave behind; a stamp without them (a half-deleted dist) is not trusted. */
const OUTPUTS = ['dist/main.js', 'dist/portal/portal.css'];
const STAMP = 'dist/.build-inputs';

function parseArguments(argv) {
  const options = { force: false, root: resolve(dirname(fileURLToPath(import.meta.url)), '..') };
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] === '--force') options.force = true;
    else if (argv[i] === '--root' && argv[i + 1] !== undefined) options.root = resolve(argv[++i]);
    else {
      process.stderr.write(`ensure-build: unknown argument ${argv[i]}\nusage: ensure-build [--force] [--root <dir>]\n`);
      process.exit(2);
    }
  }
  return options;
}

/** The inputs' fingerprint, and how many TypeScript files tsc will compile (for the progress line). */
function fingerprint(root) {
  const sources = readdirSync(join(root, 'src'), { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile() && isSourceInput(entry.name))
    // Forward slashes, so that a fingerprint does not depend on the platform's separator.
    .map((entry) => relative(root, join(entry.parentPath, entry.name)).split(sep).join('/'));
  const files = [...TOP_LEVEL_INPUTS.filter((name) => existsSync(join(root, name))), ...sources.sort()];
  const hash = createHash('sha256');
  for (const file of files) {
    // The path is hashed too: a renamed or deleted file changes the fingerprint.
    hash.update(`${file}\0`);
    hash.update(readFileSync(join(root, file)));
    hash.update('\0');
  }
  return { digest: hash.digest('hex'), typescriptFiles: sources.filter((file) => file.endsWith('.ts')).length };
}

function upToDate(root, digest) {
  if (!OUTPUTS.every((output) => existsSync(join(root, output)))) return false;
  try {
    return readFileSync(join(root, STAMP), 'utf8').trim() === digest;
  } catch {
    return false;
  }
}

/** Progress on stderr: a ticking line on a terminal, plain lines elsewhere. */
function progress() {
  const tty = process.stderr.isTTY === true;
  let ticker;
  return {
    tty,
    step(label, detail = () => '') {
      const started = performance.now();
      const line = () => `Building Passerelle (${label})… ${seconds(performance.now() - started)}${detail()}`;
      if (tty) {
        process.stderr.write(line());
        ticker = setInterval(() => process.stderr.write(`\r\x1b[K${line()}`), 250);
      } else {
        process.stderr.write(`Building Passerelle (${label})…\n`);
      }
      return () => {
        clearInterval(ticker);
        if (tty) process.stderr.write(`\r\x1b[K${line()}\n`);
      };
    },
  };
}

const seconds = (ms) => `${(ms / 1000).toFixed(1)} s`;

/** Runs a Node script of a dev dependency; resolves with its exit code and what it printed. */
function run(root, script, args, onLine) {
  return new Promise((done) => {
    const child = spawn(process.execPath, [join(root, 'node_modules', script), ...args], {
      cwd: root,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let printed = '';
    let partial = '';
    const collect = (chunk) => {
      partial += chunk.toString();
      const lines = partial.split('\n');
      partial = lines.pop() ?? '';
      for (const line of lines) if (!onLine(line)) printed += `${line}\n`;
    };
    child.stdout.on('data', collect);
    child.stderr.on('data', collect);
    child.on('error', (error) => done({ code: 1, printed: `${error.message}\n` }));
    child.on('close', (code) => {
      if (partial !== '' && !onLine(partial)) printed += `${partial}\n`;
      done({ code: code ?? 1, printed });
    });
  });
}

async function build(root, typescriptFiles, digest) {
  const started = performance.now();
  const show = progress();
  // A failed or interrupted build leaves dist half-written: no stamp until it succeeds.
  rmSync(join(root, STAMP), { force: true });

  let written = 0;
  const doneTypescript = show.step(`TypeScript, ${typescriptFiles} file${typescriptFiles === 1 ? '' : 's'}`, () =>
    written === 0 ? '' : `, ${written} written`,
  );
  // --listEmittedFiles names each file as it is written: the count is the only progress tsc offers cheaply.
  const tsc = await run(
    root,
    'typescript/bin/tsc',
    ['-p', 'tsconfig.build.json', '--listEmittedFiles', ...(show.tty ? ['--pretty'] : [])],
    (line) => {
      if (!line.startsWith('TSFILE: ')) return false;
      if (line.endsWith('.js')) written++;
      return true;
    },
  );
  doneTypescript();
  if (tsc.code !== 0) {
    process.stderr.write(`${tsc.printed}Passerelle was not built: TypeScript reported the errors above.\n`);
    return 1;
  }

  const doneStylesheet = show.step('stylesheet');
  mkdirSync(join(root, 'dist', 'portal'), { recursive: true });
  const sass = await run(
    root,
    'sass/sass.js',
    [
      '--no-source-map',
      '--style=compressed',
      '--load-path=node_modules',
      'src/portal/styles/portal.scss',
      'dist/portal/portal.css',
    ],
    () => false,
  );
  doneStylesheet();
  if (sass.code !== 0) {
    process.stderr.write(`${sass.printed}Passerelle was not built: the stylesheet did not compile.\n`);
    return 1;
  }
  writeFileSync(join(root, STAMP), `${digest}\n`);
  process.stderr.write(`Passerelle built in ${seconds(performance.now() - started)}\n`);
  return 0;
}

async function main() {
  const { force, root } = parseArguments(process.argv.slice(2));
  // Fingerprinted before building: a file saved during the build makes the next run build again.
  const { digest, typescriptFiles } = fingerprint(root);
  if (!force && upToDate(root, digest)) return 0;
  return build(root, typescriptFiles, digest);
}

process.exitCode = await main();
