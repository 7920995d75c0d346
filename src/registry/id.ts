import { randomBytes } from 'node:crypto';
import path from 'node:path';
import dayjs from 'dayjs';

/** `<name>-<YYYYMMDD-HHmmss>-<6 random base36 chars>`. The timestamp lets `ls` sort without reading records. */
export const ID_PATTERN = /^(?<name>.+)-(?<date>\d{8})-(?<time>\d{6})-(?<rand>[0-9a-z]{6})$/;

export function makeRunId(name: string, now: Date, random: () => string = randomSuffix): string {
  return `${name}-${dayjs(now).format('YYYYMMDD-HHmmss')}-${random()}`;
}

export function randomSuffix(): string {
  const bytes = randomBytes(6);
  let out = '';
  for (const byte of bytes) out += (byte % 36).toString(36);
  return out;
}

const SUFFIX = /-\d{8}-\d{6}-[0-9a-z]{6}$/;
const SUFFIX_LENGTH = '-YYYYMMDD-HHmmss-abcdef'.length;

/**
 * The name and the sortable "YYYYMMDDHHmmss" of an id, or null when it is not an rl-run id. Called
 * for every directory on every `ls`: one test of a fixed-width suffix, then slices.
 */
export function parseId(id: string): { name: string; timestamp: string } | null {
  if (id.length <= SUFFIX_LENGTH || !SUFFIX.test(id)) return null;
  const suffix = id.length - SUFFIX_LENGTH;
  return { name: id.slice(0, suffix), timestamp: id.slice(suffix + 1, suffix + 9) + id.slice(suffix + 10, suffix + 16) };
}

export function idTimestamp(id: string): string | null {
  return parseId(id)?.timestamp ?? null;
}

export function idName(id: string): string | null {
  return parseId(id)?.name ?? null;
}

/**
 * Makes a name safe for ids, pm2 names and paths: letters, digits, `.`, `_` and `-` only, no `..`,
 * no leading dot or dash, at most 64 characters.
 */
export function sanitizeName(raw: string): string {
  const cleaned = raw
    .normalize('NFKD')
    // NFKD splits accented letters into letter + combining mark; drop the marks.
    .replace(/[\u0300-\u036f]/g, '')
    .replace(/[^A-Za-z0-9._-]+/g, '-')
    .replace(/\.{2,}/g, '.')
    .replace(/-{2,}/g, '-')
    .replace(/^[.-]+|[.-]+$/g, '')
    .slice(0, 64)
    .replace(/[.-]+$/g, '');
  return cleaned || 'run';
}

export const NAME_PLACEHOLDERS = ['{script}', '{date}', '{user}'] as const;

/** Placeholders in a name template that expandNameTemplate would leave as literal text: `{lr}` is a typo, not a name. */
export function unknownPlaceholders(template: string): string[] {
  const found = template.match(/\{[^{}]*\}/g) ?? [];
  return [...new Set(found.filter((p) => !(NAME_PLACEHOLDERS as readonly string[]).includes(p)))];
}

/** Expands the config's `name` template for a script or command. */
export function expandNameTemplate(
  template: string,
  values: { script: string | null; command: string[]; user: string; now: Date },
): string {
  const scriptBase = values.script
    ? path.basename(values.script, path.extname(values.script))
    : commandBase(values.command);
  return sanitizeName(
    template
      .replaceAll('{script}', scriptBase)
      .replaceAll('{date}', dayjs(values.now).format('YYYYMMDD'))
      .replaceAll('{user}', values.user),
  );
}

/** `python3 -m pkg.train` → `pkg.train`; `bash run.sh` → `run`; `./train` → `train`. */
function commandBase(command: string[]): string {
  const moduleFlag = command.indexOf('-m');
  if (moduleFlag >= 0 && command[moduleFlag + 1]) return command[moduleFlag + 1]!;
  const file = command.slice(1).find((arg) => !arg.startsWith('-')) ?? command[0] ?? 'run';
  return path.basename(file, path.extname(file));
}
