import { isRecord } from '../config/parsed.js';
import { readText, type HttpResponseStream } from './http-transport.js';
import type { CliIo } from './io.js';
import { SseParser, type SseMessage } from './sse-parser.js';

/** How one connection to GET /v1/events ended. */
export type StreamEnd =
  | { readonly kind: 'stopped' }
  /** No connection (refused, no route): the agent is not (yet, or any more) there. */
  | { readonly kind: 'unreachable'; readonly message: string }
  /** The agent answered with an error status. */
  | { readonly kind: 'refused'; readonly status: number; readonly message: string }
  /** Connected, then the stream ended, broke, or went silent for longer than the idle bound. */
  | { readonly kind: 'lost'; readonly message: string };

export interface EventStreamRequest {
  readonly url: string;
  readonly token: string | null;
  /** Sent as Last-Event-ID, so the agent replays what was missed. */
  readonly lastEventId: string | null;
  /** With no byte for this long (the agent sends heartbeats), the connection is given up. */
  readonly idleMs: number;
  /** Aborted when the user stops watching. */
  readonly signal: AbortSignal;
  readonly onOpen: () => void;
  readonly onMessage: (message: SseMessage) => void;
  /** A POST with this JSON body instead of a GET (POST /v1/query?stream=1). */
  readonly postBody?: unknown;
}

/** Reads one event stream until it ends; never rejects. */
export async function readEventStream(io: CliIo, request: EventStreamRequest): Promise<StreamEnd> {
  const connection = new AbortController();
  const stopConnection = (): void => connection.abort();
  request.signal.addEventListener('abort', stopConnection, { once: true });
  let idle = false;
  let idleTimer: NodeJS.Timeout | undefined;
  const armIdle = (): void => {
    clearTimeout(idleTimer);
    idleTimer = setTimeout(() => {
      idle = true;
      connection.abort();
    }, request.idleMs);
  };
  const headers: Record<string, string> = { accept: 'text/event-stream' };
  if (request.lastEventId !== null) headers['last-event-id'] = request.lastEventId;
  if (request.token !== null) headers['authorization'] = `Bearer ${request.token}`;
  let opened = false;
  try {
    armIdle();
    const post = request.postBody !== undefined;
    if (post) headers['content-type'] = 'application/json';
    const response = await io.http({
      url: request.url,
      method: post ? 'POST' : 'GET',
      headers,
      ...(post ? { body: JSON.stringify(request.postBody) } : {}),
      signal: connection.signal,
    });
    if (response.status < 200 || response.status > 299) {
      return { kind: 'refused', status: response.status, message: await errorText(response) };
    }
    opened = true;
    request.onOpen();
    const parser = new SseParser();
    const decoder = new TextDecoder();
    for await (const chunk of response.body) {
      armIdle();
      for (const message of parser.feed(decoder.decode(chunk, { stream: true }))) request.onMessage(message);
    }
    return { kind: 'lost', message: 'the agent closed the event stream' };
  } catch (error) {
    if (request.signal.aborted) return { kind: 'stopped' };
    if (idle) return { kind: 'lost', message: `nothing from the agent for ${Math.round(request.idleMs / 1000)} s` };
    const message = error instanceof Error ? error.message : String(error);
    return opened ? { kind: 'lost', message: `the event stream broke (${message})` } : { kind: 'unreachable', message };
  } finally {
    clearTimeout(idleTimer);
    request.signal.removeEventListener('abort', stopConnection);
    connection.abort();
  }
}

async function errorText(response: HttpResponseStream): Promise<string> {
  const text = await readText(response).catch(() => '');
  try {
    const json: unknown = JSON.parse(text);
    if (isRecord(json) && typeof json['error'] === 'string') return json['error'];
  } catch {
    // Not JSON: fall back to the status below.
  }
  return `the agent answered HTTP ${response.status}`;
}
