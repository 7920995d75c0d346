import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { SRC, sourceFiles } from '../helpers/source-files.js';

// The import-graph check issue 11 asks for (madge --circular), without a new dependency: every
// `import`/`export … from '<relative>'` in src/**/*.ts, type-only ones included.


const SPECIFIER = /(?:^|[\s;])(?:import|export)\s[^'"]*?\sfrom\s+['"](\.[^'"]+)['"]|(?:^|[\s;(])import\s*\(?\s*['"](\.[^'"]+)['"]/g;

function fileGraph(): Map<string, Set<string>> {
  const graph = new Map<string, Set<string>>();
  for (const file of sourceFiles(SRC)) {
    const from = path.relative(SRC, file);
    const targets = new Set<string>();
    for (const match of readFileSync(file, 'utf8').matchAll(SPECIFIER)) {
      const spec = (match[1] ?? match[2])!;
      targets.add(path.relative(SRC, path.resolve(path.dirname(file), spec.replace(/\.js$/, '.ts'))));
    }
    graph.set(from, targets);
  }
  return graph;
}

/** The top-level folder of a file under src/ ('.' for src/*.ts). */
function folderOf(file: string): string {
  const parts = file.split(path.sep);
  return parts.length > 1 ? parts[0]! : '.';
}

/** Every cycle found by a depth-first walk, each as the path that closes it. */
function cycles(graph: Map<string, Set<string>>): string[][] {
  const found: string[][] = [];
  const state = new Map<string, 'open' | 'done'>();
  const stack: string[] = [];
  const visit = (node: string) => {
    state.set(node, 'open');
    stack.push(node);
    for (const next of graph.get(node) ?? []) {
      if (state.get(next) === 'open') found.push([...stack.slice(stack.indexOf(next)), next]);
      else if (!state.has(next)) visit(next);
    }
    stack.pop();
    state.set(node, 'done');
  };
  for (const node of [...graph.keys()].sort()) if (!state.has(node)) visit(node);
  return found;
}

describe('import graph of src/', () => {
  const graph = fileGraph();

  it('reads the imports (the check is not vacuous)', () => {
    expect(graph.size).toBeGreaterThan(50);
    expect(graph.get('cli.ts')?.size).toBeGreaterThan(0);
  });

  it('has no cycle between files', () => {
    expect(cycles(graph).map((cycle) => cycle.join(' → '))).toEqual([]);
  });

  it('has no folder that imports a folder importing it back', () => {
    const folders = new Map<string, Set<string>>();
    for (const [from, targets] of graph) {
      const source = folderOf(from);
      if (source === '.') continue; // src/cli.ts, src/index.ts and src/errors.ts are the roots and the leaf
      for (const target of targets) {
        const folder = folderOf(target);
        if (folder === source || folder === '.') continue;
        if (!folders.has(source)) folders.set(source, new Set());
        folders.get(source)!.add(folder);
      }
    }
    expect(cycles(folders).map((cycle) => cycle.join(' → '))).toEqual([]);
  });
});
