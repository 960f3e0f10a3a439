import { readFileSync } from 'node:fs';
import { parse } from 'yaml';

/**
 * The Compose files of docker/, read as Compose reads them: YAML with merge
 * keys (`<<: *anchor`), then variables interpolated in every value from an
 * environment (`$$` is a literal `$`).
 */
export type ComposeValue = string | number | boolean | null | ComposeValue[] | { [key: string]: ComposeValue };

export interface ComposeService {
  image?: string;
  build?: unknown;
  command?: string[] | string;
  entrypoint?: string[] | string;
  environment?: Record<string, string | number | boolean | null>;
  ports?: string[];
  volumes?: (string | { type: string; source: string; target: string; read_only?: boolean })[];
  depends_on?: Record<string, { condition: string }>;
  hostname?: string;
  network_mode?: string;
  [key: string]: unknown;
}

export interface ComposeFile {
  name?: string;
  services: Record<string, ComposeService>;
  volumes?: Record<string, unknown>;
  [key: string]: unknown;
}

/** `KEY=value` lines of an env file; comments and blank lines skipped, values taken as written. */
export function parseEnvFile(text: string): Record<string, string> {
  const env: Record<string, string> = {};
  for (const line of text.split('\n')) {
    const match = /^\s*([A-Za-z_][A-Za-z0-9_]*)=(.*)$/.exec(line);
    if (match !== null) env[match[1]] = match[2].trim();
  }
  return env;
}

const VARIABLE = /\$\$|\$\{([A-Za-z_][A-Za-z0-9_]*)(?:(:?[-?+])([^}]*))?\}|\$([A-Za-z_][A-Za-z0-9_]*)/g;

/** The variables a text refers to, with how: plain, with a default, or required. */
export function variablesOf(text: string): { name: string; operator: string | undefined }[] {
  return [...text.matchAll(VARIABLE)]
    .filter((match) => match[0] !== '$$')
    .map((match) => ({ name: match[1] ?? match[4], operator: match[2] }));
}

/** One string interpolated as Compose does; a missing required variable throws with its message. */
export function interpolate(text: string, env: Record<string, string>): string {
  return text.replace(VARIABLE, (whole, braced?: string, operator?: string, argument?: string, bare?: string) => {
    if (whole === '$$') return '$';
    const name = braced ?? bare ?? '';
    const value = env[name];
    const set = value !== undefined;
    const nonEmpty = set && value !== '';
    switch (operator) {
      case undefined:
        return value ?? '';
      case ':-':
        return nonEmpty ? value : (argument ?? '');
      case '-':
        return set ? value : (argument ?? '');
      case ':?':
      case '?':
        if (operator === ':?' ? nonEmpty : set) return value;
        throw new Error(`${name}: ${argument ?? 'required'}`);
      case ':+':
        return nonEmpty ? (argument ?? '') : '';
      case '+':
        return set ? (argument ?? '') : '';
      default:
        throw new Error(`unknown interpolation ${whole}`);
    }
  });
}

function interpolateAll(value: ComposeValue, env: Record<string, string>): ComposeValue {
  if (typeof value === 'string') return interpolate(value, env);
  if (Array.isArray(value)) return value.map((item) => interpolateAll(item, env));
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, interpolateAll(item, env)]));
  }
  return value;
}

/** The file as YAML, merge keys resolved, nothing interpolated. */
export function readComposeYaml(path: string): ComposeValue {
  return parse(readFileSync(path, 'utf8'), { merge: true }) as ComposeValue;
}

/** The file as Compose sees it with `env` (the operator's .env). */
export function loadComposeFile(path: string, env: Record<string, string>): ComposeFile {
  return interpolateAll(readComposeYaml(path), env) as unknown as ComposeFile;
}
