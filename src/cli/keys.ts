import type { Command } from 'commander';
import type { KeyMemberResult } from '../agent/api.js';
import type { PublicKeyReport, PublicKeyView } from '../http/key-report.js';
import { isRecord, isStringArray } from '../config/parsed.js';
import type { KeyOp, KeyringMode } from '../protocol/messages.js';
import { EXIT_FAILURE, EXIT_OK, EXIT_USAGE, printErrors, type CommandContext } from './context.js';
import { callAgent, resolveEndpoint, resolveToken, TOKEN_OPTION_HELP } from './http-client.js';
import type { CliIo } from './io.js';
import { formatTable } from './table.js';

// use and remove ask every member twice (a check, then the change), each bounded by the
// agent's own timeout (5 probe intervals: 25 s with the wan profile).
const TIMEOUT_MS = 120_000;
const HEADER = ['ID', 'HERE', 'PRIMARY', 'INSTALLED'] as const;
/** `keys install -` reads the key from standard input, so that it never shows in `ps`. */
const STDIN_PATH = '/dev/stdin';

const KEY_OPS: readonly KeyOp[] = ['list', 'install', 'use', 'remove', 'enforce', 'relax'];
const MODES: readonly KeyringMode[] = ['plaintext', 'encrypt', 'enforce'];

const DONE: Readonly<Record<Exclude<KeyOp, 'list'>, string>> = {
  install: 'installed on',
  use: 'now the primary key of',
  remove: 'removed from',
  enforce: 'refusing plaintext on',
  relax: 'accepting plaintext again on',
};

export function registerKeys(program: Command, context: CommandContext): void {
  const keys = program
    .command('keys')
    .description('list or change the encryption keys of the whole cluster, through the local agent')
    .addHelpText(
      'after',
      `
To rotate with no downtime: gossipd keygen > new.key; gossipd keys install - < new.key;
gossipd keys use NEW-ID; gossipd keys remove OLD-ID (ids from gossipd keys list).
To switch encryption on in a running plaintext cluster: gossipd keys install - < cluster.key;
gossipd keys use ID; gossipd keys enforce (relax undoes enforce). A key given as an
argument shows in \`ps\` to every local user: pass "-" and the key on standard input
instead. Each waits for every live member's answer; use, remove and enforce are
refused unless every member can follow. Exit 1 if a member refused or did not answer.`,
    );
  const withEndpoint = (command: Command): Command =>
    command
      .option('--http <host:port>', 'agent HTTP endpoint (default: GOSSIPD_HTTP, else 127.0.0.1:7947)')
      .option('--http-token <token>', TOKEN_OPTION_HELP)
      .option('--json', 'print the JSON report as the agent returns it');
  withEndpoint(keys.command('list').description('the keys each member holds, and which one it encrypts with')).action(
    async (_options: unknown, command: Command) => {
      context.finish(await runKeys('list', null, command.opts(), context.io));
    },
  );
  for (const [op, description, argument] of [
    ['install', 'add a key on every member; it decrypts at once, and encrypts only after use', '"-" to read the base64 key from stdin (or the key itself, visible in ps)'],
    ['use', 'make an installed key the one every member encrypts with', 'key id (from gossipd keys list), "-" to read the key from stdin, or the key'],
    ['remove', 'remove a key from every member (not the one in use)', 'key id (from gossipd keys list), "-" to read the key from stdin, or the key'],
  ] as const) {
    withEndpoint(keys.command(op).description(description).argument('<key>', argument)).action(
      async (key: unknown, _options: unknown, command: Command) => {
        const given = typeof key === 'string' ? key : '';
        const text = given === '-' ? readStdinKey(context.io) : given;
        context.finish(await runKeys(op, text, command.opts(), context.io));
      },
    );
  }
  for (const [op, description] of [
    ['enforce', 'make every member refuse plaintext datagrams (all must encrypt with the primary key first)'],
    ['relax', 'make every member accept plaintext datagrams again (undoes enforce)'],
  ] as const) {
    withEndpoint(keys.command(op).description(description)).action(async (_options: unknown, command: Command) => {
      context.finish(await runKeys(op, null, command.opts(), context.io));
    });
  }
}

/** The key piped in; the agent checks it, and an unreadable stdin is simply not a key. */
function readStdinKey(io: CliIo): string {
  try {
    return io.readFile(STDIN_PATH).trim();
  } catch {
    return '';
  }
}

export async function runKeys(op: KeyOp, key: string | null, options: Readonly<Record<string, unknown>>, io: CliIo): Promise<number> {
  const endpoint = resolveEndpoint(options['http'], io);
  if (!endpoint.ok) {
    printErrors(io, [endpoint.error]);
    return EXIT_USAGE;
  }
  const token = resolveToken(options['httpToken'], io);
  const reply =
    op === 'list'
      ? await callAgent(io, endpoint.value, { method: 'GET', path: '/v1/keys', timeoutMs: TIMEOUT_MS, token })
      : await callAgent(io, endpoint.value, {
          method: 'POST',
          path: `/v1/keys/${op}`,
          body: key === null ? {} : { key },
          timeoutMs: TIMEOUT_MS,
          token,
        });
  if (!reply.ok) {
    printErrors(io, [reply.error]);
    return EXIT_FAILURE;
  }
  const report = readReport(reply.value.json);
  if (report === null) {
    printErrors(io, [`unexpected answer from the agent at ${endpoint.value}: not a key report`]);
    return EXIT_FAILURE;
  }
  if (options['json'] === true) io.stdout(reply.value.text.endsWith('\n') ? reply.value.text : `${reply.value.text}\n`);
  else io.stdout(formatReport(report));
  printErrors(
    io,
    report.nodes.filter((node) => !node.ok).map((node) => `${node.name}: ${node.error ?? 'refused'}`),
  );
  return report.ok ? EXIT_OK : EXIT_FAILURE;
}

/** The keys table, then one line on how many members answered or applied the change. */
export function formatReport(report: PublicKeyReport): string {
  const rows = report.keys.map((key) => [
    key.id,
    key.primaryHere ? 'primary' : key.held ? 'held' : '-',
    `${key.primary}/${report.responded}`,
    `${key.installed}/${report.responded}`,
  ]);
  const applied = report.nodes.filter((node) => node.ok).length;
  const summary =
    report.op === 'list'
      ? `${report.responded} of ${report.members} members answered\n`
      : `${DONE[report.op]} ${applied} of ${report.members} members\n`;
  return `${formatTable(HEADER, rows)}${summary}${modeLine(report.nodes)}`;
}

/** How the members that answered treat plaintext, e.g. "modes: 2 encrypt, 1 plaintext" (see docs/encryption.md). */
function modeLine(nodes: readonly KeyMemberResult[]): string {
  const counts = MODES.map((mode) => [mode, nodes.filter((node) => node.mode === mode).length] as const).filter(([, n]) => n > 0);
  return counts.length === 0 ? '' : `modes: ${counts.map(([mode, n]) => `${n} ${mode}`).join(', ')}\n`;
}

/** The agent is trusted but may be another version: check the shape before printing. */
function readReport(json: unknown): PublicKeyReport | null {
  if (!isRecord(json)) return null;
  const { ok, members, responded, keys, nodes } = json;
  const op = KEY_OPS.find((known) => known === json['op']);
  if (op === undefined) return null;
  if (typeof ok !== 'boolean' || typeof members !== 'number' || typeof responded !== 'number') return null;
  if (!Array.isArray(keys) || !Array.isArray(nodes)) return null;
  const keyViews = (keys as readonly unknown[]).map(readKey);
  const nodeResults = (nodes as readonly unknown[]).map(readNode);
  if (keyViews.includes(null) || nodeResults.includes(null)) return null;
  return {
    op,
    ok,
    members,
    responded,
    keys: keyViews.filter((key): key is PublicKeyView => key !== null),
    nodes: nodeResults.filter((node): node is KeyMemberResult => node !== null),
  };
}

function readKey(item: unknown): PublicKeyView | null {
  if (!isRecord(item)) return null;
  const { id, held, primaryHere, primary, installed } = item;
  if (typeof id !== 'string' || typeof held !== 'boolean' || typeof primaryHere !== 'boolean') return null;
  if (typeof primary !== 'number' || typeof installed !== 'number') return null;
  return { id, held, primaryHere, primary, installed };
}

function readNode(item: unknown): KeyMemberResult | null {
  if (!isRecord(item)) return null;
  const { name, ok, error, keyIds } = item;
  if (typeof name !== 'string' || typeof ok !== 'boolean' || !isStringArray(keyIds)) return null;
  if (error !== undefined && typeof error !== 'string') return null;
  const mode = MODES.find((known) => known === item['mode']);
  return { name, ok, ...(typeof error === 'string' ? { error } : {}), keyIds, ...(mode === undefined ? {} : { mode }) };
}
