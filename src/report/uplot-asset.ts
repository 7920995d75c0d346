import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';

/**
 * uPlot's script and stylesheet, read from the installed package (a dependency) so the report
 * inlines them and stays one offline file. Resolved from this module's own URL, which the bundle
 * keeps pointing at dist/report/ (scripts/bundle.mjs), so node_modules is found from there.
 */
export function uplotAssets(): { script: string; style: string } {
  const require = createRequire(import.meta.url);
  const read = (file: string) => readFileSync(require.resolve(`uplot/dist/${file}`), 'utf8');
  return {
    // The licence banner keeps its author and project, minus a URL scheme: the page names no address it could fetch.
    script: read('uPlot.iife.min.js').replaceAll('https://github.com/', 'github.com/').replaceAll('</script', '<\\/script'),
    style: read('uPlot.min.css'),
  };
}
