// `npm run bench`: gossipd under load and failure over real UDP on 127.0.0.1, side by side with
// Serf when it is installed. Progress on stderr, a markdown table on stdout, JSON and an SVG
// chart in bench/results/. Benchmarks measure; they do not assert.
import { mkdirSync, writeFileSync } from 'node:fs';
import { freemem } from 'node:os';
import { join } from 'node:path';
import { seededRandom } from '../src/protocol/random.js';
import { killAllChildren } from './children.js';
import { InProcessCluster } from './cluster-inprocess.js';
import { OurProcessCluster } from './cluster-ours.js';
import { SerfCluster, serfVersion } from './cluster-serf.js';
import type { Cluster } from './cluster.js';
import { netIsolation, runInPrivateNetns } from './netns.js';
import { RESULTS_DIR } from './paths.js';
import { PortAllocator } from './ports.js';
import { progress } from './progress.js';
import { describeMachine, loadNow, machine } from './report/machine.js';
import { svgChart } from './report/svg.js';
import { markdownReport } from './report/table.js';
import { targets } from './report/targets.js';
import type { BenchReport, ClusterResult } from './results.js';
import { capacity } from './scenarios/stability.js';
import { parseSettings, USAGE, type Settings } from './settings.js';
import { runSuite, scenarioContext } from './suite.js';
import { maxSuspicionMs, protocolOptions, serfProfile } from './timing.js';

/** Rough RSS of one agent process, to judge how many the machine holds (measured figures are in the results). */
const RSS_ESTIMATE_MB = { gossipd: 60, serf: 30 } as const;

const args = process.argv.slice(2);
const parsed = parseSettings(args, RESULTS_DIR);
if ('error' in parsed) {
  process.stderr.write(parsed.error === '' ? USAGE : `${parsed.error}\n\n${USAGE}`);
  process.exit(parsed.error === '' ? 0 : 2);
}
const settings: Settings = parsed;
if (settings.netns) {
  const code = await runInPrivateNetns(process.argv.slice(1));
  if (code !== null) process.exit(code);
}
process.on('uncaughtException', (error) => {
  process.stderr.write(`bench: ${error.stack ?? error.message}\n`);
  killAllChildren();
  process.exit(1);
});
await main(settings);

async function main(settings: Settings): Promise<void> {
  const say = progress('');
  const random = seededRandom(settings.seed).next;
  const host = machine(netIsolation());
  say(`machine: ${describeMachine(host, loadNow())}`);
  const serf = serfSetup(settings);
  say(`serf: ${serf.version ?? 'not run'}: ${serf.note}`);
  const startedAt = new Date().toISOString();
  const report: BenchReport = {
    version: 1,
    startedAt,
    argv: args,
    settings,
    machine: host,
    serf: { version: serf.version, note: serf.note },
    clusters: [],
    capacity: null,
    targets: [],
  };
  mkdirSync(settings.outDir, { recursive: true });
  const base = join(settings.outDir, `bench-${settings.profile}-${startedAt.replace(/[:.]/g, '-')}`);
  const save = (): void => writeFileSync(`${base}.json`, JSON.stringify(report, null, 2) + '\n');
  const ports = new PortAllocator(settings.seed);

  for (const n of settings.nodes) {
    const runs: Array<{ label: string; make: () => Cluster; estimateMB: number | null; skip: string | null }> = [];
    if (settings.gossipd && settings.modes.includes('in-process')) {
      runs.push({ label: 'gossipd in-process', make: () => new InProcessCluster(settings.profile, random), estimateMB: null, skip: null });
    }
    if (settings.gossipd && settings.modes.includes('multi-process')) {
      runs.push({ label: 'gossipd processes', make: () => new OurProcessCluster(settings.profile, random), estimateMB: RSS_ESTIMATE_MB.gossipd, skip: null });
    }
    if (serf.profile !== null) {
      const profile = serf.profile;
      const span = maxSuspicionMs(protocolOptions(settings.profile), n);
      runs.push({ label: 'serf processes', make: () => new SerfCluster(profile, ports, random, span), estimateMB: RSS_ESTIMATE_MB.serf, skip: null });
    } else if (settings.modes.includes('multi-process')) {
      runs.push({ label: 'serf processes', make: () => new SerfCluster('lan', ports, random, 0), estimateMB: null, skip: serf.note });
    }
    for (const run of runs) {
      const cluster = run.make();
      const say = progress(`${run.label} N=${n}: `);
      const tooBig = run.estimateMB !== null && n * run.estimateMB > 0.85 * (freemem() / 2 ** 20);
      if (run.skip !== null || tooBig) {
        const skipped = run.skip ?? `the machine cannot hold ${n} agent processes (~${((n * (run.estimateMB ?? 0)) / 1024).toFixed(1)} GiB needed, ${(freemem() / 2 ** 30).toFixed(1)} GiB free)`;
        const result: ClusterResult = { system: cluster.system, mode: cluster.mode, members: n, loadAtStart: loadNow(), skipped };
        report.clusters.push(result);
        if (run.skip === null) say(`skipped: ${skipped}`);
        continue;
      }
      report.clusters.push(await runSuite(scenarioContext(cluster, settings, say, random), n));
      save();
    }
  }

  if (settings.capacity > 0 && settings.gossipd && settings.modes.includes('in-process')) {
    report.capacity = await capacity(settings, progress('capacity: '), random);
  }
  report.targets = targets(report);
  report.finishedAt = new Date().toISOString();
  save();
  writeFileSync(`${base}.svg`, svgChart(report));
  process.stdout.write(markdownReport(report, loadNow()));
  say(`results: ${base}.json and ${base}.svg`);
}

function serfSetup(settings: Settings): { version: string | null; profile: ReturnType<typeof serfProfile>; note: string } {
  if (!settings.modes.includes('multi-process')) return { version: null, profile: null, note: 'only run in multi-process mode' };
  if (!settings.serf) return { version: null, profile: null, note: 'not run (--systems gossipd or --no-serf)' };
  const version = serfVersion();
  if (version === null) return { version: null, profile: null, note: 'not installed (apt-get install serf); gossipd figures only' };
  const profile = serfProfile(settings.profile);
  if (profile === null) {
    return { version, profile: null, note: `not run: Serf has no timing equal to the \`${settings.profile}\` profile (use --profile lan, wan or local)` };
  }
  return { version, profile, note: `serf agent -profile ${profile} (memberlist's ${profile.toUpperCase()} config = gossipd's \`${profile}\` profile)` };
}
