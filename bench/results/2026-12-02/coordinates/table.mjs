// Prints the error table of summary.md from the JSON files of run.mjs in this folder.
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = process.argv[2] ?? dirname(fileURLToPath(import.meta.url));
const pct = (x) => `${(x * 100).toFixed(1)} %`;
const rows = [];
for (const file of readdirSync(here).filter((f) => f.endsWith('.json')).sort()) {
  const { run, report } = JSON.parse(readFileSync(join(here, file), 'utf8'));
  for (const c of [...report.coordinateErrorOverTime, report.coordinateError]) {
    rows.push(
      `| ${run.nodes} | ${run.regions} | ${run.profile} | ${run.seed} | ${c.atMs / 60_000} min | ${pct(c.p50)} | ${pct(c.p90)} | ${pct(c.insideRegion.p50)} | ${pct(c.betweenRegions.p50)} | ${c.pairs} | [${file}](${file}) |`,
    );
  }
}
console.log('| N | regions | profile | seed | time | p50 | p90 | p50 inside a region | p50 between regions | pairs | file |');
console.log('|---|---|---|---|---|---|---|---|---|---|---|');
console.log(rows.join('\n'));
