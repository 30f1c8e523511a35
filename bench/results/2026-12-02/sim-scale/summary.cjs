// usage: node summary.js DIR — the table of DIR/sim-*.json as DIR/summary.md
const fs = require('node:fs');
const path = require('node:path');
const dir = process.argv[2] ?? __dirname;
const rows = fs
  .readdirSync(dir)
  .filter((f) => /^sim-\d+-(join|converged)\.json$/.test(f))
  .map((f) => {
    const text = fs.readFileSync(path.join(dir, f), 'utf8');
    let report = null;
    try { report = JSON.parse(text); } catch { /* unfinished */ }
    const time = fs.existsSync(path.join(dir, f.replace('.json', '.time'))) ? fs.readFileSync(path.join(dir, f.replace('.json', '.time')), 'utf8') : '';
    const maxRssKb = Number(/Maximum resident set size \(kbytes\): (\d+)/.exec(time)?.[1] ?? NaN);
    const userS = Number(/User time \(seconds\): ([\d.]+)/.exec(time)?.[1] ?? NaN);
    return { f, report, maxRssKb, userS, n: Number(/^sim-(\d+)/.exec(f)[1]), start: /^sim-\d+-(\w+)/.exec(f)[1] };
  })
  .sort((a, b) => a.n - b.n);
const s = (ms) => (ms === null || ms === undefined ? '—' : `${(ms / 1000).toFixed(1)} s`);
const gb = (bytes) => `${(bytes / 2 ** 30).toFixed(2)} GiB`;
const lines = [
  '| N | start | simulated | wall | wall per simulated s | CPU (user) | peak memory (report) | max RSS (time -v) | convergence | detection first / all p50 | false failures | bytes / member / s | full-table transfers | file |',
  '|---|---|---|---|---|---|---|---|---|---|---|---|---|---|',
];
for (const { f, report: r, maxRssKb, userS, n, start } of rows) {
  if (r === null) { lines.push(`| ${n} | ${start} | did not finish | | | | | | | | | | | ${f} |`); continue; }
  lines.push(
    `| ${n.toLocaleString('en')} | ${start} | ${s(r.simulatedMs)} | ${s(r.wallMs)} | ${(r.wallMs / (r.simulatedMs / 1000)).toFixed(0)} ms | ${Number.isNaN(userS) ? '—' : `${userS.toFixed(0)} s`} | ${gb(r.peakMemoryBytes)} | ${Number.isNaN(maxRssKb) ? '—' : gb(maxRssKb * 1024)} | ${s(r.convergenceMs)} | ${s(r.detection.firstP50Ms)} / ${s(r.detection.allP50Ms)} | ${r.falseFailures} | ${r.perNode.bytesSentPerSec.mean} | ${r.fullStateTransfers} | ${f} |`,
  );
}
fs.writeFileSync(path.join(dir, 'summary.md'), `${lines.join('\n')}\n`);
console.log(lines.join('\n'));
