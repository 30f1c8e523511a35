import type { Command } from 'commander';
import type { MemberView } from '../agent/api.js';
import { isRecord, orList, show, splitList } from '../config/parsed.js';
import { MEMBER_STATUSES, addressKey, isMemberStatus, type MemberStatus } from '../protocol/types.js';
import { invalid, valid, type Checked } from '../result.js';
import { EXIT_FAILURE, EXIT_OK, EXIT_USAGE, printErrors, type CommandContext } from './context.js';
import { callAgent, resolveEndpoint, resolveToken, TOKEN_OPTION_HELP } from './http-client.js';
import type { CliIo } from './io.js';
import { formatTable } from './table.js';

const TIMEOUT_MS = 10_000;
const HEADER = ['NAME', 'ADDRESS', 'STATUS', 'INCARNATION', 'SINCE', 'TAGS'] as const;

export function registerMembers(program: Command, context: CommandContext): void {
  program
    .command('members')
    .description('list the members the local agent knows')
    .option('--http <host:port>', 'agent HTTP endpoint (default: GOSSIPD_HTTP, else 127.0.0.1:7947)')
    .option('--http-token <token>', TOKEN_OPTION_HELP)
    .option('--status <list>', `only these statuses, comma-separated: ${MEMBER_STATUSES.join(',')}`)
    .option('--json', 'print the JSON array as the agent returns it')
    .action(async (_options: unknown, command: Command) => {
      context.finish(await runMembers(command.opts(), context.io));
    });
}

export async function runMembers(options: Readonly<Record<string, unknown>>, io: CliIo): Promise<number> {
  const endpoint = resolveEndpoint(options['http'], io);
  const statuses = parseStatusFilter(options['status']);
  const problems = [...(endpoint.ok ? [] : [endpoint.error]), ...(statuses.ok ? [] : statuses.errors)];
  if (!endpoint.ok || !statuses.ok) {
    printErrors(io, problems);
    return EXIT_USAGE;
  }
  const query = statuses.value.length === 0 ? '' : `?status=${statuses.value.join(',')}`;
  const reply = await callAgent(io, endpoint.value, {
    method: 'GET',
    path: `/v1/members${query}`,
    timeoutMs: TIMEOUT_MS,
    token: resolveToken(options['httpToken'], io),
  });
  if (!reply.ok) {
    printErrors(io, [reply.error]);
    return EXIT_FAILURE;
  }
  if (options['json'] === true) {
    io.stdout(reply.value.text.endsWith('\n') ? reply.value.text : `${reply.value.text}\n`);
    return EXIT_OK;
  }
  const members = readMembers(reply.value.json);
  if (members === null) {
    printErrors(io, [`unexpected answer from the agent at ${endpoint.value}: not a list of members`]);
    return EXIT_FAILURE;
  }
  io.stdout(membersTable(members));
  return EXIT_OK;
}

function parseStatusFilter(raw: unknown): Checked<readonly MemberStatus[]> {
  if (raw === undefined) return valid([]);
  const items = typeof raw === 'string' ? splitList(raw) : [];
  if (items.length === 0) return invalid(`--status: give one or more of ${MEMBER_STATUSES.join(',')}`);
  const errors: string[] = [];
  const statuses = new Set<MemberStatus>();
  // Checked here rather than with config/values' parseChoice, which would load the codec's
  // field rules into every `gossipd members`.
  for (const item of items) {
    if (isMemberStatus(item)) statuses.add(item);
    else errors.push(`--status: ${show(item)} is not a member status (use ${orList(MEMBER_STATUSES)})`);
  }
  return errors.length === 0 ? valid([...statuses]) : invalid(...errors);
}

/** Sorted by name so that the table is stable between calls; TAGS sorted by key likewise. */
export function membersTable(members: readonly MemberView[]): string {
  const rows = [...members]
    .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))
    .map((member) => [
      member.name,
      addressKey({ host: member.addr, port: member.port }),
      member.status,
      String(member.incarnation),
      member.since,
      Object.entries(member.tags)
        .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
        .map(([key, value]) => `${key}=${value}`)
        .join(','),
    ]);
  return formatTable(HEADER, rows);
}

/** The agent is trusted but may be another version: check the shape before printing. */
function readMembers(json: unknown): MemberView[] | null {
  if (!Array.isArray(json)) return null;
  const items: readonly unknown[] = json;
  const members: MemberView[] = [];
  for (const item of items) {
    const member = readMember(item);
    if (member === null) return null;
    members.push(member);
  }
  return members;
}

function readMember(item: unknown): MemberView | null {
  if (!isRecord(item)) return null;
  const { name, addr, port, status, incarnation, tags, since } = item;
  if (typeof name !== 'string' || typeof addr !== 'string' || typeof port !== 'number') return null;
  if (!isMemberStatus(status) || typeof incarnation !== 'number' || typeof since !== 'string') return null;
  if (!isRecord(tags)) return null;
  const stringTags: Record<string, string> = {};
  for (const [key, value] of Object.entries(tags)) {
    if (typeof value !== 'string') return null;
    stringTags[key] = value;
  }
  return { name, addr, port, status, incarnation, tags: stringTags, since };
}
