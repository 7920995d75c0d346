/**
 * A progress bar (tqdm) redraws itself with `\r`: in a file, one "line" holds hundreds of states.
 * A reader wants the last one. `\r\n` is an ordinary line end.
 */
export function lastState(line: string): string {
  const text = line.endsWith('\r') ? line.slice(0, -1) : line;
  const cut = text.lastIndexOf('\r');
  return cut < 0 ? text : text.slice(cut + 1);
}
