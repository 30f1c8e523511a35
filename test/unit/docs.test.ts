import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, normalize } from 'node:path';
import { Command, type Option } from 'commander';
import { describe, expect, it } from 'vitest';
import { registerAgent } from '../../src/cli/agent.js';
import { processIo } from '../../src/cli/io.js';
import { main } from '../../src/cli/main.js';
import type { AgentConfig } from '../../src/config.js';
import { AGENT_DEFAULTS } from '../../src/config/defaults.js';
import { formatDuration } from '../../src/config/duration.js';
import { KEY_SPECS } from '../../src/config/keys.js';
import { CONFIG_ENV, CONFIG_FLAG } from '../../src/config/sources.js';
import { PROFILE_NAMES, PROFILES, type ProtocolOptions } from '../../src/protocol/options.js';
import { addressKey, type Address } from '../../src/protocol/types.js';

// The docs are checked against the code they describe, so that they cannot drift: the option
// table of docs/cli.md, the profile table of docs/protocol.md, every relative link, and the
// README's size. Pure file reads and in-process help output: no processes, no network.

const README = 'README.md';
const README_MAX_BYTES = 15_000;
const CLI_DOC = 'docs/cli.md';
const PROTOCOL_DOC = 'docs/protocol.md';

function read(path: string): string {
  return readFileSync(path, 'utf8');
}

function docFiles(): string[] {
  return readdirSync('docs')
    .filter((name) => name.endsWith('.md'))
    .map((name) => join('docs', name));
}

/** The rows of the markdown table between `<!-- NAME:start -->` and `<!-- NAME:end -->`, header and rule left out. */
function markedTable(text: string, name: string): string[][] {
  const start = text.indexOf(`<!-- ${name}:start -->`);
  const end = text.indexOf(`<!-- ${name}:end -->`);
  if (start < 0 || end < start) throw new Error(`no <!-- ${name}:start --> … <!-- ${name}:end --> block`);
  const lines = text
    .slice(start, end)
    .split('\n')
    .filter((line) => line.startsWith('|'));
  return lines.slice(2).map(cells);
}

/** A table row's cells, trimmed; `\|` inside a cell is not a separator. */
function cells(line: string): string[] {
  return line
    .replace(/^\|/, '')
    .replace(/\|$/, '')
    .split(/(?<!\\)\|/)
    .map((cell) => cell.trim());
}

function unquote(cell: string): string {
  return cell.replace(/`/g, '').trim();
}

// ─── The agent's options ───────────────────────────────────────────────────────────────

/** How a default reads in the docs: durations as flags take them, addresses as host:port, nothing as "none". */
function defaultText(value: unknown, isDuration: boolean): string {
  if (value === null) return 'none';
  if (Array.isArray(value)) return value.length === 0 ? 'none' : value.join(', ');
  if (typeof value === 'number') return isDuration ? formatDuration(value) : String(value);
  if (typeof value === 'string') return value;
  if (typeof value === 'boolean') return value ? 'on' : 'off';
  if (typeof value === 'object' && 'host' in value && 'port' in value) return addressKey(value as Address);
  if (typeof value === 'object' && Object.keys(value).length === 0) return 'none';
  throw new Error(`no doc spelling for default ${JSON.stringify(value)}`);
}

interface DocumentedOption {
  readonly flag: string;
  readonly env: string;
  readonly key: string;
  readonly defaultValue: string;
}

/** What the table must say about each flag, from the code. */
function expectedOptions(): Map<string, DocumentedOption> {
  const expected = new Map<string, DocumentedOption>();
  for (const field of Object.keys(KEY_SPECS) as (keyof AgentConfig)[]) {
    const spec = KEY_SPECS[field];
    const value: unknown =
      field === 'name' ? 'host name' : field in AGENT_DEFAULTS ? AGENT_DEFAULTS[field as keyof typeof AGENT_DEFAULTS] : PROFILES[AGENT_DEFAULTS.profile][field as keyof ProtocolOptions];
    expected.set(spec.flag, {
      flag: `${spec.flag} ${spec.argName}`,
      env: spec.env,
      key: spec.key,
      defaultValue: defaultText(value, spec.argName === '<duration>'),
    });
  }
  // --config is the agent's one option that is not a setting: it names the file the settings come from.
  // An option registered beside KEY_SPECS like it must be added here too, with its variable and default.
  expected.set(CONFIG_FLAG, { flag: `${CONFIG_FLAG} <file>`, env: CONFIG_ENV, key: '—', defaultValue: 'none' });
  return expected;
}

/** The long flags `gossipd agent` really has, as commander registers them. */
function agentFlags(): string[] {
  const program = new Command('gossipd');
  // Registering only declares the options; nothing runs, so the real io is never touched.
  registerAgent(program, { io: processIo(), finish: () => undefined });
  const agent = program.commands.find((command) => command.name() === 'agent');
  if (agent === undefined) throw new Error('registerAgent registered no agent command');
  return agent.options.map((option: Option) => option.long ?? option.flags);
}

function documentedOptions(): DocumentedOption[] {
  return markedTable(read(CLI_DOC), 'agent-options').map((row) => {
    const [flag = '', env = '', key = '', defaultValue = ''] = row;
    return { flag: unquote(flag), env: unquote(env), key: unquote(key), defaultValue: unquote(defaultValue) };
  });
}

describe('docs/cli.md: the gossipd agent option table', () => {
  it('lists exactly the flags gossipd agent has, each once', () => {
    const documented = documentedOptions().map((option) => option.flag.split(' ')[0]);
    expect([...documented].sort()).toEqual([...agentFlags()].sort());
    expect(new Set(documented).size).toBe(documented.length);
  });

  it('gives each flag its argument, environment variable, config key and default as the code has them', () => {
    const expected = expectedOptions();
    expect([...expected.keys()].sort()).toEqual([...agentFlags()].sort());
    for (const option of documentedOptions()) {
      const want = expected.get(option.flag.split(' ')[0] ?? '');
      expect(want, `${option.flag} is not an option of gossipd agent`).toBeDefined();
      expect(option, `the row of ${option.flag}`).toEqual(want);
    }
  });
});

// ─── Timing profiles ───────────────────────────────────────────────────────────────────

describe('docs/protocol.md: the timing profile table', () => {
  const timing = Object.entries(KEY_SPECS).filter(([, spec]) => spec.group === 'timing') as [keyof ProtocolOptions, (typeof KEY_SPECS)[keyof ProtocolOptions]][];

  it('has one row per timing flag, with the value of every profile', () => {
    const rows = markedTable(read(PROTOCOL_DOC), 'profiles');
    const header = cells(
      read(PROTOCOL_DOC)
        .split('<!-- profiles:start -->')[1]
        ?.split('\n')
        .find((line) => line.startsWith('|')) ?? '',
    ).map(unquote);
    expect(header.slice(1, 1 + PROFILE_NAMES.length).map((name) => name.split(' ')[0])).toEqual([...PROFILE_NAMES]);
    expect(rows.map((row) => unquote(row[0] ?? '')).sort()).toEqual(timing.map(([, spec]) => spec.flag).sort());
    for (const row of rows) {
      const entry = timing.find(([, spec]) => spec.flag === unquote(row[0] ?? ''));
      if (entry === undefined) continue;
      const [field, spec] = entry;
      const want = PROFILE_NAMES.map((profile) => defaultText(PROFILES[profile][field], spec.argName === '<duration>'));
      expect(row.slice(1, 1 + PROFILE_NAMES.length).map(unquote), spec.flag).toEqual(want);
    }
  });
});

// ─── Every command and option is documented ────────────────────────────────────────────

async function help(path: readonly string[]): Promise<string> {
  let out = '';
  const code = await main(['node', 'gossipd', ...path, '--help'], {
    stdout: (text) => {
      out += text;
    },
    stderr: () => undefined,
    env: {},
  });
  expect(code, `gossipd ${path.join(' ')} --help`).toBe(0);
  return out;
}

/** Subcommand names from a help text's "Commands:" block (lines indented by exactly two spaces). */
function subcommands(text: string): string[] {
  const block = text.split(/^Commands:\n/m)[1]?.split(/\n\n/)[0] ?? '';
  return [...block.matchAll(/^ {2}([a-z][a-z-]*)\b/gm)].map((match) => match[1] ?? '').filter((name) => name !== 'help');
}

function longFlags(text: string): string[] {
  return [...text.matchAll(/^ {2}(?:-[A-Za-z], )?(--[a-z][a-z-]*)/gm)]
    .map((match) => match[1] ?? '')
    .filter((flag) => flag !== '--help' && flag !== '--version');
}

/** The text of docs/cli.md under the heading "## `gossipd NAME`", up to the next "## ". */
function commandSection(doc: string, name: string): string | undefined {
  const start = doc.indexOf(`\n## \`gossipd ${name}\``);
  if (start < 0) return undefined;
  const end = doc.indexOf('\n## ', start + 1);
  return doc.slice(start, end < 0 ? undefined : end);
}

describe('docs/cli.md: every command', () => {
  it('has a section naming each of its subcommands and options', async () => {
    const doc = read(CLI_DOC);
    const commands = subcommands(await help([]));
    expect(commands).toContain('agent');
    const missing: string[] = [];
    for (const command of commands) {
      const section = commandSection(doc, command);
      if (section === undefined) {
        missing.push(`no "## \`gossipd ${command}\`" section`);
        continue;
      }
      const text = await help([command]);
      const flags = longFlags(text);
      for (const sub of subcommands(text)) {
        if (!new RegExp(`gossipd ${command} \\[?${sub}\\b`).test(section)) missing.push(`gossipd ${command} ${sub}`);
        flags.push(...longFlags(await help([command, sub])));
      }
      for (const flag of new Set(flags)) {
        if (!new RegExp(`${flag}(?![a-z-])`).test(section)) missing.push(`gossipd ${command} ${flag}`);
      }
    }
    expect(missing).toEqual([]);
  });
});

// ─── Links and size ────────────────────────────────────────────────────────────────────

/** Relative link targets in a markdown text: [text](target), without external URLs. */
function relativeLinks(text: string): string[] {
  return [...text.matchAll(/\]\(([^)\s]+)\)/g)]
    .map((match) => match[1] ?? '')
    .filter((target) => !/^[a-z][a-z0-9+.-]*:/i.test(target));
}

/** GitHub's heading anchors: lower case, punctuation dropped, spaces to hyphens, repeats numbered. */
function anchors(markdown: string): Set<string> {
  const seen = new Map<string, number>();
  const result = new Set<string>();
  const withoutCode = markdown.replace(/^```[\s\S]*?^```/gm, '');
  for (const match of withoutCode.matchAll(/^#{1,6} (.+)$/gm)) {
    const base = (match[1] ?? '')
      .trim()
      .toLowerCase()
      .replace(/[^\p{L}\p{N}\s_-]/gu, '')
      .replace(/\s/g, '-');
    const count = seen.get(base) ?? 0;
    seen.set(base, count + 1);
    result.add(count === 0 ? base : `${base}-${count}`);
  }
  return result;
}

function brokenLinks(file: string): string[] {
  const problems: string[] = [];
  for (const target of relativeLinks(read(file))) {
    const [path = '', fragment] = target.split('#');
    const resolved = path === '' ? file : normalize(join(dirname(file), path));
    if (!existsSync(resolved)) {
      problems.push(`${file}: ${target} (no such file)`);
      continue;
    }
    if (fragment !== undefined && resolved.endsWith('.md') && statSync(resolved).isFile() && !anchors(read(resolved)).has(fragment)) {
      problems.push(`${file}: ${target} (no such heading)`);
    }
  }
  return problems;
}

describe('README.md', () => {
  it(`is under ${README_MAX_BYTES} bytes: the front door, with the reference in docs/`, () => {
    expect(statSync(README).size).toBeLessThan(README_MAX_BYTES);
  });

  it('links to docs/ files that exist, and every doc is linked from it or from docs/README.md', () => {
    const links = relativeLinks(read(README)).filter((target) => target.startsWith('docs/'));
    expect(links.length).toBeGreaterThan(0);
    for (const target of links) expect(existsSync(target.split('#')[0] ?? ''), target).toBe(true);
    const index = read('docs/README.md');
    const unlinked = docFiles().filter((file) => file !== 'docs/README.md' && !links.includes(file) && !index.includes(`](${file.slice('docs/'.length)}`));
    expect(unlinked).toEqual([]);
  });

  it('gives the test command as exactly `npm test`', () => {
    expect(read(README)).toMatch(/^npm test\b/m);
  });
});

const MEASUREMENT_CUE = /\b(?:p50|p99|member-hour|req\/s|measured)\b|B\/member\/s|after (?:the|a) crash/i;
const FIGURE_WITH_UNIT = /\d(?:[\d,.]*\d)? ?(?:ms|s|%|MB|GB|GiB|B\/s|B\/member\/s|bytes)(?!\w)/;

/** Lines that quote a measured figure in a section that names no bench/results file. */
function unsourcedFigures(markdown: string): string[] {
  const sections = markdown.replace(/^```[\s\S]*?^```/gm, '').split(/^(?=#{1,6} )/m);
  return sections
    .filter((section) => !section.includes('bench/results/'))
    .flatMap((section) => section.split('\n'))
    .filter((line) => !line.startsWith('| `--') && MEASUREMENT_CUE.test(line) && FIGURE_WITH_UNIT.test(line));
}

describe('links in README.md and docs/*.md', () => {
  it('all resolve to files, and to headings that exist', () => {
    expect([README, ...docFiles()].flatMap(brokenLinks)).toEqual([]);
  });

  it('name a bench/results file in every section that quotes a measured figure', () => {
    // A heuristic with no false alarm on today's docs: a line that reads like a measurement (a
    // percentile, a rate per member, "measured", "after the crash", next to a number with a
    // unit) must sit in a section (heading to heading) that names the results file behind it.
    // Option tables (rows starting "| `--") state settings, not measurements.
    expect([README, ...docFiles()].flatMap((file) => unsourcedFigures(read(file)).map((line) => `${file}: ${line}`))).toEqual([]);
  });

  it('catches a figure with no results file behind it', () => {
    expect(unsourcedFigures('## Crash\n\nthe others mark it `failed` about 4 s after the crash.\n')).toHaveLength(1);
    expect(unsourcedFigures('## Load\n\n16 concurrent requests p99 is 17 ms.\n')).toHaveLength(1);
    expect(unsourcedFigures('## Load\n\n16 concurrent requests p99 is 17 ms (bench/results/x.md).\n')).toEqual([]);
    expect(unsourcedFigures('| `--probe-timeout` | `500ms` | (≈ p99 round trip) |\n')).toEqual([]);
  });

  it('name only bench/results files that exist', () => {
    const missing = [README, ...docFiles()].flatMap((file) =>
      [...read(file).matchAll(/bench\/results\/[\w./-]*[\w/]/g)]
        .map((match) => match[0])
        .filter((path) => !existsSync(path))
        .map((path) => `${file}: ${path}`),
    );
    expect(missing).toEqual([]);
  });
});

// ─── No key on a command line ──────────────────────────────────────────────────────────

/** Lines of the fenced code blocks of a markdown text: the commands readers copy. */
function codeLines(markdown: string): string[] {
  return [...markdown.matchAll(/^```[^\n]*\n([\s\S]*?)^```/gm)].flatMap((match) => (match[1] ?? '').split('\n'));
}

function filesUnder(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? filesUnder(path) : [path];
  });
}

/** Why a command line would show a key in `ps`, or null. */
function keyInArgv(line: string): string | null {
  if (/--encrypt[ =](?!<key>)\S/.test(line)) return '--encrypt with a value';
  if (/\bkeys (?:install|use|remove) (?!-(?:\s|$)|ID\b|<id>|[0-9a-f]{16}\b)\S/.test(line)) return 'keys install|use|remove with a key';
  if (/[A-Za-z0-9+/]{43}=/.test(line)) return 'a base64 key';
  return null;
}

describe('README.md, docs/ and deploy/ never put a key on a command line', () => {
  it('has no --encrypt VALUE, keys install KEY or key literal in any command shown', () => {
    const lines = [
      ...[README, ...docFiles()].flatMap((file) => codeLines(read(file)).map((line) => [file, line] as const)),
      ...filesUnder('deploy').flatMap((file) => read(file).split('\n').map((line) => [file, line] as const)),
    ];
    expect(lines.length).toBeGreaterThan(100);
    const found = lines.flatMap(([file, line]) => {
      const problem = keyInArgv(line);
      return problem === null ? [] : [`${file}: ${problem}: ${line}`];
    });
    expect(found).toEqual([]);
  });

  it('catches the spellings it is for', () => {
    expect(keyInArgv('gossipd agent --encrypt "$(cat key)"')).not.toBeNull();
    expect(keyInArgv('gossipd agent --encrypt=$KEY')).not.toBeNull();
    expect(keyInArgv('gossipd keys install "$(cat new.key)"')).not.toBeNull();
    expect(keyInArgv(`echo ${Buffer.alloc(32, 5).toString('base64')}`)).not.toBeNull();
    expect(keyInArgv('gossipd keys install - < new.key')).toBeNull();
    expect(keyInArgv('gossipd keys use 38fe5ab2a5be7b90')).toBeNull();
    expect(keyInArgv('| `--encrypt <key>` | `GOSSIPD_ENCRYPT` |')).toBeNull();
  });
});
