import { AGENT_DEFAULTS, formatDuration } from '../config.js';
import { parseAddress } from '../config/address.js';
import { DEFAULT_HTTP_HOST } from '../config/defaults.js';
import { isRecord } from '../config/parsed.js';
import { addressKey } from '../protocol/types.js';
import type { CliIo } from './io.js';

const HTTP_ENV = 'GOSSIPD_HTTP';

export type EndpointResult = { readonly ok: true; readonly baseUrl: string } | { readonly ok: false; readonly error: string };

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
  if (!parsed.ok) return { ok: false, error: `${origin}: ${parsed.errors.join('; ')}` };
  return { ok: true, baseUrl: `http://${addressKey(parsed.value)}` };
}

export interface AgentRequest {
  readonly method: 'GET' | 'POST';
  readonly path: string;
  readonly body?: unknown;
  readonly timeoutMs: number;
}

/** The agent's answer (2xx), or one line saying what went wrong, ready for stderr. */
export type AgentReply =
  | { readonly ok: true; readonly status: number; readonly text: string; readonly json: unknown }
  | { readonly ok: false; readonly message: string };

export async function callAgent(io: CliIo, baseUrl: string, request: AgentRequest): Promise<AgentReply> {
  const init: RequestInit = { method: request.method, signal: AbortSignal.timeout(request.timeoutMs) };
  if (request.body !== undefined) {
    init.headers = { 'content-type': 'application/json' };
    init.body = JSON.stringify(request.body);
  }
  let status: number;
  let text: string;
  try {
    const response = await io.fetch(`${baseUrl}${request.path}`, init);
    status = response.status;
    text = await response.text();
  } catch (error) {
    return { ok: false, message: fetchFailure(error, baseUrl, request.timeoutMs) };
  }
  const json = parseJson(text);
  if (status < 200 || status > 299) return { ok: false, message: httpFailure(json, status, baseUrl) };
  if (json === undefined && text.trim() !== '') {
    return { ok: false, message: `unexpected answer from the agent at ${baseUrl}: not JSON` };
  }
  return { ok: true, status, text, json: json ?? null };
}

function fetchFailure(error: unknown, baseUrl: string, timeoutMs: number): string {
  // fetch rejects with a DOMException named TimeoutError when AbortSignal.timeout fires.
  if (isRecord(error) && error['name'] === 'TimeoutError') {
    return `the agent at ${baseUrl} did not answer within ${formatDuration(timeoutMs)}`;
  }
  return `cannot reach the agent at ${baseUrl} (is 'gossipd agent' running?)`;
}

function httpFailure(json: unknown, status: number, baseUrl: string): string {
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
