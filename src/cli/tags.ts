import type { Command } from 'commander';
import { validateTags } from '../codec/fields.js';
import { isRecord, isStringArray } from '../config/parsed.js';
import type { Tags } from '../protocol/types.js';
import { invalid, valid, type Checked } from '../result.js';
import { EXIT_FAILURE, EXIT_OK, EXIT_USAGE, printErrors, type CommandContext } from './context.js';
import { callAgent, resolveEndpoint, resolveToken, TOKEN_OPTION_HELP } from './http-client.js';
import type { CliIo } from './io.js';

const TIMEOUT_MS = 10_000;

/** What a `tags` subcommand does to the current tag set. */
type TagChange =
  | { readonly op: 'list' }
  | { readonly op: 'set'; readonly tags: Tags }
  | { readonly op: 'delete'; readonly keys: readonly string[] };

export function registerTags(program: Command, context: CommandContext): void {
  const tags = program
    .command('tags')
    .description("show or change this agent's tags; changes spread to the whole cluster")
    .addHelpText(
      'after',
      `
set and delete read the current tags, change them, and send the whole set back
(PUT /v1/self/tags). The agent raises its incarnation, so every member sees the
new tags within a few gossip rounds. Tags set here last until the agent restarts,
which publishes its configured --tag set again.`,
    );
  const withEndpoint = (command: Command): Command =>
    command
      .option('--http <host:port>', 'agent HTTP endpoint (default: GOSSIPD_HTTP, else 127.0.0.1:7947)')
      .option('--http-token <token>', TOKEN_OPTION_HELP)
      .option('--json', 'print the resulting tags as a JSON object');
  withEndpoint(tags.command('list', { isDefault: true }).description("print this agent's tags, one key=value a line")).action(
    async (_options: unknown, command: Command) => {
      context.finish(await runTags({ op: 'list' }, command.opts(), context.io));
    },
  );
  withEndpoint(tags.command('set').description('add or replace tags').argument('<key=value...>', 'tags to set')).action(
    async (pairs: unknown, _options: unknown, command: Command) => {
      const parsed = parsePairs(isStringArray(pairs) ? pairs : []);
      if (!parsed.ok) {
        printErrors(context.io, parsed.errors);
        context.finish(EXIT_USAGE);
        return;
      }
      context.finish(await runTags({ op: 'set', tags: parsed.value }, command.opts(), context.io));
    },
  );
  withEndpoint(tags.command('delete').description('remove tags').argument('<key...>', 'keys to remove')).action(
    async (keys: unknown, _options: unknown, command: Command) => {
      context.finish(await runTags({ op: 'delete', keys: isStringArray(keys) ? keys : [] }, command.opts(), context.io));
    },
  );
}

/** `key=value` arguments; the value may hold "=" and may be empty. */
export function parsePairs(pairs: readonly string[]): Checked<Tags> {
  const tags: Record<string, string> = {};
  const errors: string[] = [];
  for (const pair of pairs) {
    const equals = pair.indexOf('=');
    if (equals <= 0) errors.push(`${JSON.stringify(pair)} is not key=value (e.g. role=web)`);
    else tags[pair.slice(0, equals)] = pair.slice(equals + 1);
  }
  return errors.length === 0 ? valid(tags) : invalid(...errors);
}

export async function runTags(change: TagChange, options: Readonly<Record<string, unknown>>, io: CliIo): Promise<number> {
  const endpoint = resolveEndpoint(options['http'], io);
  if (!endpoint.ok) {
    printErrors(io, [endpoint.error]);
    return EXIT_USAGE;
  }
  const token = resolveToken(options['httpToken'], io);
  const current = await callAgent(io, endpoint.value, { method: 'GET', path: '/v1/self', timeoutMs: TIMEOUT_MS, token });
  if (!current.ok) {
    printErrors(io, [current.error]);
    return EXIT_FAILURE;
  }
  const before = readTags(current.value.json);
  if (before === null) {
    printErrors(io, [`unexpected answer from the agent at ${endpoint.value}: no tags in /v1/self`]);
    return EXIT_FAILURE;
  }
  if (change.op === 'list') {
    printTags(io, before, options['json'] === true);
    return EXIT_OK;
  }
  const after = applyChange(before, change);
  for (const key of change.op === 'delete' ? change.keys : []) {
    if (!Object.hasOwn(before, key)) io.stderr(`gossipd: tag ${JSON.stringify(key)} was not set\n`);
  }
  // The agent checks too; checking here makes an oversized set a usage error, not a failure.
  const problem = validateTags(after);
  if (problem !== null) {
    printErrors(io, [problem]);
    return EXIT_USAGE;
  }
  const put = await callAgent(io, endpoint.value, { method: 'PUT', path: '/v1/self/tags', body: after, timeoutMs: TIMEOUT_MS, token });
  if (!put.ok) {
    printErrors(io, [put.error]);
    return EXIT_FAILURE;
  }
  printTags(io, readTags(put.value.json) ?? after, options['json'] === true);
  return EXIT_OK;
}

function applyChange(before: Tags, change: Exclude<TagChange, { op: 'list' }>): Tags {
  if (change.op === 'set') return { ...before, ...change.tags };
  const removed = new Set(change.keys);
  return Object.fromEntries(Object.entries(before).filter(([key]) => !removed.has(key)));
}

function printTags(io: CliIo, tags: Tags, json: boolean): void {
  // Sorted by key either way, so the output is the same from call to call.
  const keys = Object.keys(tags).sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  if (json) io.stdout(`${JSON.stringify(Object.fromEntries(keys.map((key) => [key, tags[key]])))}\n`);
  else io.stdout(keys.map((key) => `${key}=${tags[key] ?? ''}\n`).join(''));
}

/** The `tags` of a member record (GET /v1/self, PUT /v1/self/tags), checked: the agent may be another version. */
function readTags(json: unknown): Tags | null {
  if (!isRecord(json) || !isRecord(json['tags'])) return null;
  const tags: Record<string, string> = {};
  for (const [key, value] of Object.entries(json['tags'])) {
    if (typeof value !== 'string') return null;
    tags[key] = value;
  }
  return tags;
}
