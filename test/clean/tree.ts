import { createHash } from 'node:crypto';
import { lstatSync, readdirSync, readFileSync, readlinkSync } from 'node:fs';
import path from 'node:path';

/** sha256 over every path, type, mode, link target and file content below `dir`, in sorted order. */
export function hashTree(dir: string, skip: (rel: string) => boolean = () => false): string {
  const hash = createHash('sha256');
  const walk = (current: string, rel: string) => {
    if (skip(rel)) return;
    const stat = lstatSync(current);
    if (stat.isSymbolicLink()) hash.update(`L ${rel} -> ${readlinkSync(current)}\n`);
    else if (stat.isDirectory()) {
      hash.update(`D ${rel}\n`);
      for (const name of readdirSync(current).sort()) walk(path.join(current, name), `${rel}/${name}`);
    } else hash.update(`F ${rel} ${stat.mode} ${stat.size}\n`).update(readFileSync(current));
  };
  walk(dir, '.');
  return hash.digest('hex');
}
