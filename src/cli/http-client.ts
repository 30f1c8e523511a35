import { parseAddress } from '../config/address.js';
import { AGENT_DEFAULTS, DEFAULT_HTTP_HOST } from '../config/defaults.js';
import { formatDuration } from '../config/duration.js';
import { isRecord } from '../config/parsed.js';
import { addressKey } from '../protocol/types.js';
import { failure, success, type Result } from '../result.js';
import { readText } from './http-transport.js';
import { EXIT_FAILURE, EXIT_USAGE, printErrors } from './context.js';
import type { CliIo } from './io.js';

const HTTP_ENV = 'GOSSIPD_HTTP';
/** Shared with the agent, which reads the same variable for its own --http-token. */
const TOKEN_ENV = 'GOSSIPD_HTTP_TOKEN';

/** Help text of every client command's --http-token option. */
export const TOKEN_OPTION_HELP = `bearer token the agent requires (its --http-token; default: ${TOKEN_ENV})`;

/** The token to send: --http-token, else GOSSIPD_HTTP_TOKEN, else none. */
export function resolveToken(flag: unknown, io: CliIo): string | null {
  if (typeof flag === 'string' && flag !== '') return flag;
  const fromEnv = io.env[TOKEN_ENV];
  return fromEnv !== undefined && fromEnv !== '' ? fromEnv : null;
}

/** The agent's base URL (http://host:port), or why the address given for it is not one. */
export type EndpointResult = Result<string, 'bad-address'>;

/** The local agent's HTTP endpoint: --http, else GOSSIPD_HTTP (shared with the agent), else the default. */
export function resolveEndpoint(flag: unknown, io: CliIo): EndpointResult {
  const fromEnv = io.env[HTTP_ENV];
  const [text, origin] =
    typeof flag === 'string'
      ? [flag, '--http']
      : fromEnv !== undefined && fromEnv !== ''
        ? [fromEnv, HTTP_ENV]
        : [addressKey(AGENT_DEFAULTS.http), 'default'];
  const parsed = parseAddress(text, { minPort: 1, defaultHost: DEFAULT_HTTP_HOST, examplePort: AGENT_DEFAULTS.http.port });
  if (!parsed.ok) return failure('bad-address', `${origin}: ${parsed.errors.join('; ')}`);
  return success(`http://${addressKey(parsed.value)}`);
}

export interface AgentRequest {
  readonly method: 'GET' | 'POST' | 'PUT';
  readonly path: string;
  readonly body?: unknown;
  readonly timeoutMs: number;
  /** Sent as `Authorization: Bearer <token>` when set. */
  readonly token?: string | null;
}

/** The agent's answer (2xx): its status, its body, and the body parsed (null when empty). */
export interface AgentAnswer {
  readonly status: number;
  readonly text: string;
  readonly json: unknown;
}

/**
 * Why a call brought no answer to use: none within the timeout, no connection, an HTTP error
 * status (the agent's refusal, or a missing or wrong token), or a body that is not JSON.
 */
export type AgentCallFailure = 'timeout' | 'unreachable' | 'http-error' | 'not-json';

/** The agent's answer, or why not with one line saying what went wrong, ready for stderr. */
export type AgentReply = Result<AgentAnswer, AgentCallFailure>;

export async function callAgent(io: CliIo, baseUrl: string, request: AgentRequest): Promise<AgentReply> {
  const signal = AbortSignal.timeout(request.timeoutMs);
  const headers: Record<string, string> = {};
  if (request.token !== undefined && request.token !== null) headers['authorization'] = `Bearer ${request.token}`;
  const body = request.body === undefined ? undefined : JSON.stringify(request.body);
  if (body !== undefined) headers['content-type'] = 'application/json';
  let status: number;
  let text: string;
  try {
    const response = await io.http({ url: `${baseUrl}${request.path}`, method: request.method, headers, signal, ...(body === undefined ? {} : { body }) });
    status = response.status;
    text = await readText(response);
  } catch {
    return signal.aborted
      ? failure('timeout', `the agent at ${baseUrl} did not answer within ${formatDuration(request.timeoutMs)}`)
      : failure('unreachable', `cannot reach the agent at ${baseUrl} (is 'gossipd agent' running?)`);
  }
  const json = parseJson(text);
  if (status < 200 || status > 299) return failure('http-error', httpFailure(json, status, baseUrl));
  if (json === undefined && text.trim() !== '') {
    return failure('not-json', `unexpected answer from the agent at ${baseUrl}: not JSON`);
  }
  return success({ status, text, json: json ?? null });
}

function httpFailure(json: unknown, status: number, baseUrl: string): string {
  if (status === 401) {
    const why = isRecord(json) && typeof json['error'] === 'string' ? `${json['error']}: ` : '';
    return `${why}pass it with --http-token or ${TOKEN_ENV}`;
  }
  if (isRecord(json) && typeof json['error'] === 'string') return json['error'];
  return `the agent at ${baseUrl} answered HTTP ${status}`;
}

function parseJson(text: string): unknown {
  try {
    const value: unknown = JSON.parse(text);
    return value;
  } catch {
    return undefined;
  }
}

/** A client command's one request to its agent: the answer, or the exit code after the failure was printed. */
export type AskResult = { readonly ok: true; readonly endpoint: string; readonly answer: AgentAnswer } | { readonly ok: false; readonly code: number };

/**
 * One request to the local agent as a client command makes it: the endpoint from --http (or
 * GOSSIPD_HTTP), the token from --http-token (or GOSSIPD_HTTP_TOKEN); a bad address is printed
 * and exits EXIT_USAGE, a call that brought no usable answer EXIT_FAILURE.
 */
export async function askAgent(io: CliIo, options: Readonly<Record<string, unknown>>, request: Omit<AgentRequest, 'token'>): Promise<AskResult> {
  const endpoint = resolveEndpoint(options['http'], io);
  if (!endpoint.ok) {
    printErrors(io, [endpoint.error]);
    return { ok: false, code: EXIT_USAGE };
  }
  const reply = await callAgent(io, endpoint.value, { ...request, token: resolveToken(options['httpToken'], io) });
  if (!reply.ok) {
    printErrors(io, [reply.error]);
    return { ok: false, code: EXIT_FAILURE };
  }
  return { ok: true, endpoint: endpoint.value, answer: reply.value };
}
