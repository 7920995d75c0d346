/**
 * One line for a config that failed to load, with its `file:line:col`: jiti puts a syntax error's
 * place on a second line, and cosmiconfig's JSON errors start with an empty first line and then a
 * code frame, so the first line alone said only `Unexpected token`, or nothing after a colon.
 */
export function describeConfigError(error: unknown, filepath: string): string {
  const message = error instanceof Error ? error.message : String(error);
  const stack = error instanceof Error ? (error.stack ?? '') : '';
  const where = location(message, stack, filepath);
  return `${filepath}${where ? `:${where.line}:${where.column}` : ''}: ${problem(message, filepath)}`;
}

function location(message: string, stack: string, filepath: string): { line: number; column: number } | null {
  const escaped = filepath.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  // jiti's parse errors: "ParseError: Unexpected token\n /path/runs.config.ts:3:0", columns from 0 (babel).
  const parse = new RegExp(`${escaped}:(\\d+):(\\d+)`).exec(message);
  if (parse) return { line: Number(parse[1]), column: Number(parse[2]) + (/ParseError|SyntaxError/.test(message) ? 1 : 0) };
  // JSON: a code frame, "> 3 | }" then "    | ^" under the column.
  const frame = /^>\s*(\d+)\s*\|.*\n(\s*\|)( *)\^/m.exec(message);
  if (frame) return { line: Number(frame[1]), column: frame[3]!.length };
  // An error thrown while the config ran: its place is in the stack, columns from 1 (V8).
  const thrown = new RegExp(`${escaped}:(\\d+):(\\d+)`).exec(stack);
  if (thrown) return { line: Number(thrown[1]), column: Number(thrown[2]) };
  return null;
}

function problem(message: string, filepath: string): string {
  const lines = message
    .split('\n')
    .map((line) => line.trim())
    // Code frame lines ("> 3 | }", "| ^", "2 | x") and the file's own place are not the problem.
    .filter((line) => line !== '' && !/^(>\s*)?\d*\s*\|/.test(line) && !line.includes(`${filepath}:`))
    .map((line) => line.replace(/^JSON Error in .*?:\s*$/, '').replace(/ while parsing '.*$/s, ''))
    .filter((line) => line !== '');
  return lines[0] ?? 'unknown error';
}
