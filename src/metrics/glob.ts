/**
 * A small glob matcher for run-relative paths with `/` separators: `**` (any number of folders,
 * including none, when followed by `/`), `*` (any characters but `/`), `?` (one such character).
 * Node 20 has no fs.glob, and the few patterns rl-run needs do not justify a dependency.
 */
export function globToRegExp(glob: string): RegExp {
  let source = '';
  for (let i = 0; i < glob.length; i++) {
    const c = glob[i]!;
    if (c === '*' && glob[i + 1] === '*') {
      if (glob[i + 2] === '/') {
        source += '(?:.*/)?';
        i += 2;
      } else {
        source += '.*';
        i += 1;
      }
    } else if (c === '*') source += '[^/]*';
    else if (c === '?') source += '[^/]';
    else source += c.replace(/[.+^${}()|[\]\\]/g, '\\$&');
  }
  return new RegExp(`^${source}$`);
}

export function matchesAny(relativePath: string, globs: readonly RegExp[]): boolean {
  return globs.some((glob) => glob.test(relativePath));
}
