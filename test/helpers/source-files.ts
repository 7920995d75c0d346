import { readdirSync } from 'node:fs';
import path from 'node:path';

/** The project's src/ folder, for checks that read the code as text (imports, owners). */
export const SRC = path.resolve(import.meta.dirname, '../../src');

/** Every .ts file below `dir`. */
export function sourceFiles(dir: string = SRC): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) return sourceFiles(full);
    return entry.name.endsWith('.ts') ? [full] : [];
  });
}
