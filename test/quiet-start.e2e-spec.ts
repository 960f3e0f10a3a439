import { spawnSync } from 'node:child_process';
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  statSync,
  symlinkSync,
  utimesSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { eventually, startTestGateway, type TestGateway } from './support/test-gateway';

const ROOT = resolve(__dirname, '..');
const ENSURE_BUILD = join(ROOT, 'scripts', 'ensure-build.mjs');

/**
 * A project of two sources beside the real node_modules (for tsc and sass):
 * ensure-build is run with --root on it, never on this tree's dist, which
 * other builds may be writing.
 */
function fixtureProject(): string {
  const dir = mkdtempSync(join(tmpdir(), 'passerelle-ensure-build-'));
  const files: Record<string, string> = {
    'package.json': JSON.stringify({ name: 'fixture', private: true }),
    'tsconfig.json': JSON.stringify({
      compilerOptions: { module: 'commonjs', target: 'ES2023', strict: true, skipLibCheck: true, types: [] },
    }),
    'tsconfig.build.json': JSON.stringify({
      extends: './tsconfig.json',
      compilerOptions: { rootDir: './src', outDir: './dist' },
      include: ['src/**/*.ts'],
      exclude: ['src/**/*.spec.ts'],
    }),
    'src/main.ts': "export const greeting: string = 'bonjour';\n",
    'src/main.spec.ts': '// not part of the build\n',
    'src/portal/styles/portal.scss': '$ink: #0b0c0c;\nbody { color: $ink; }\n',
  };
  for (const [name, text] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, name)), { recursive: true });
    writeFileSync(join(dir, name), text);
  }
  symlinkSync(join(ROOT, 'node_modules'), join(dir, 'node_modules'), 'dir');
  return dir;
}

function ensureBuild(dir: string, ...args: string[]) {
  const result = spawnSync(process.execPath, [ENSURE_BUILD, '--root', dir, ...args], {
    encoding: 'utf8',
    env: { ...process.env, CI: 'true' },
  });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

const builtAt = (dir: string): number => statSync(join(dir, 'dist', 'main.js')).mtimeMs;

describe('ensure-build: dist is rebuilt when, and only when, its sources changed', () => {
  let dir: string;

  beforeAll(() => {
    dir = fixtureProject();
  });

  afterAll(() => {
    rmSync(dir, { recursive: true, force: true });
  });

  it('builds a project that was never built, saying so on stderr only', () => {
    const first = ensureBuild(dir);
    expect(first).toMatchObject({ status: 0, stdout: '' });
    expect(first.stderr).toContain('Building Passerelle (TypeScript, 1 file)…');
    expect(first.stderr).toContain('Building Passerelle (stylesheet)…');
    expect(first.stderr).toMatch(/Passerelle built in \d+\.\d s\n$/);
    // Not a terminal: no escape codes, no carriage returns.
    expect(first.stderr).not.toContain('\r');
    expect(first.stderr).not.toContain('\u001b');
    expect(readFileSync(join(dir, 'dist', 'main.js'), 'utf8')).toContain('bonjour');
    expect(readFileSync(join(dir, 'dist', 'portal', 'portal.css'), 'utf8')).toContain('color:#0b0c0c');
  });

  it('does nothing and prints nothing when nothing changed, even if a file was saved again or a spec edited', () => {
    const before = builtAt(dir);
    writeFileSync(join(dir, 'src', 'main.ts'), "export const greeting: string = 'bonjour';\n");
    writeFileSync(join(dir, 'src', 'main.spec.ts'), '// edited, still not part of the build\n');
    expect(ensureBuild(dir)).toEqual({ status: 0, stdout: '', stderr: '' });
    expect(builtAt(dir)).toBe(before);
  });

  it('rebuilds when a source changed, even if the file carries an old modification time', () => {
    const source = join(dir, 'src', 'main.ts');
    writeFileSync(source, "export const greeting: string = 'hello';\n");
    const longAgo = new Date('2020-01-01T00:00:00Z');
    utimesSync(source, longAgo, longAgo);
    const again = ensureBuild(dir);
    expect(again.status).toBe(0);
    expect(again.stderr).toContain('Passerelle built in');
    expect(readFileSync(join(dir, 'dist', 'main.js'), 'utf8')).toContain('hello');
  });

  it('rebuilds when a source file is added, and when the stylesheet changed', () => {
    writeFileSync(join(dir, 'src', 'extra.ts'), 'export const extra = 1;\n');
    expect(ensureBuild(dir).stderr).toContain('Building Passerelle (TypeScript, 2 files)…');
    expect(existsSync(join(dir, 'dist', 'extra.js'))).toBe(true);
    writeFileSync(join(dir, 'src', 'portal', 'styles', 'portal.scss'), 'body { color: #ffdd00; }\n');
    expect(ensureBuild(dir).status).toBe(0);
    expect(readFileSync(join(dir, 'dist', 'portal', 'portal.css'), 'utf8')).toContain('#fd0');
  });

  it("fails with tsc's errors, and tries again next time rather than trusting the half-written dist", () => {
    writeFileSync(join(dir, 'src', 'main.ts'), 'export const greeting: number = "bonjour";\n');
    const failed = ensureBuild(dir);
    expect(failed.status).not.toBe(0);
    expect(failed.stderr).toContain(
      "src/main.ts(1,14): error TS2322: Type 'string' is not assignable to type 'number'.",
    );
    expect(failed.stderr).toContain('Passerelle was not built');
    expect(ensureBuild(dir).stderr).toContain('error TS2322');

    writeFileSync(join(dir, 'src', 'main.ts'), "export const greeting: string = 'bonjour';\n");
    expect(ensureBuild(dir).status).toBe(0);
    expect(ensureBuild(dir).stderr).toBe('');
  });

  it('builds unconditionally with --force, as `npm run build` does', () => {
    const forced = ensureBuild(dir, '--force');
    expect(forced.status).toBe(0);
    expect(forced.stderr).toContain('Passerelle built in');
  });

  it('refuses an argument it does not know, as a usage error', () => {
    const wrong = ensureBuild(dir, '--quick');
    expect(wrong.status).toBe(2);
    expect(wrong.stderr).toContain('unknown argument --quick');
  });
});

describe("Nest's assembly messages: at debug, not at info", () => {
  const routeMappings = (t: TestGateway) =>
    t.logs.filter((line) => line.context === 'RouterExplorer' && line.msg?.startsWith('Mapped {') === true);

  it('keeps every route mapping, at debug level, for LOG_LEVEL=debug', async () => {
    const t = await startTestGateway();
    try {
      const mappings = routeMappings(t);
      expect(mappings.map((line) => line.msg)).toContain('Mapped {/v1/exchanges, POST} route');
      expect(new Set(mappings.map((line) => line.level))).toEqual(new Set([20]));
      expect(t.logs.some((line) => line.context === 'InstanceLoader' && line.level === 20)).toBe(true);
    } finally {
      await t.stop();
    }
  });

  it('writes none of them at the default level, info, and keeps the gateway’s own lines', async () => {
    const t = await startTestGateway({ env: { LOG_LEVEL: 'info' } });
    try {
      expect(routeMappings(t)).toEqual([]);
      const contexts = new Set(t.logs.map((line) => line.context));
      for (const nest of ['NestFactory', 'InstanceLoader', 'RoutesResolver', 'RouterExplorer', 'NestApplication']) {
        expect(contexts.has(nest)).toBe(false);
      }
      // A 404 is still logged at info: only Nest's assembly moved.
      expect((await fetch(`${t.publicUrl}/nowhere`)).status).toBe(404);
      await eventually(() => t.logs.some((line) => line.level === 30 && line.req !== undefined), 'the request log');
    } finally {
      await t.stop();
    }
  });
});
