import { request } from 'node:http';

/**
 * One HTTP request of a client command to the local agent. The global fetch is not used: its
 * machinery (undici) takes longer to load than the whole request takes (about 45 ms against
 * a few), and every client command pays it.
 */
export interface HttpExchange {
  /** http://host:port/path; the agent's endpoint is plain HTTP. */
  readonly url: string;
  readonly method: 'GET' | 'POST' | 'PUT';
  readonly headers: Readonly<Record<string, string>>;
  readonly body?: string;
  /** Aborting it ends the request, or the reading of its body, with an error. */
  readonly signal: AbortSignal;
}

export interface HttpResponseStream {
  readonly status: number;
  /** The body as it arrives; throws if the connection breaks or the signal aborts. */
  readonly body: AsyncIterable<Uint8Array>;
}

/** Resolves once the status line and headers are in; rejects when no answer comes. */
export type HttpSend = (exchange: HttpExchange) => Promise<HttpResponseStream>;

export const sendHttp: HttpSend = (exchange) =>
  new Promise((resolve, reject) => {
    const headers: Record<string, string> = { ...exchange.headers };
    if (exchange.body !== undefined) headers['content-length'] = String(Buffer.byteLength(exchange.body));
    const outgoing = request(exchange.url, { method: exchange.method, headers, signal: exchange.signal }, (response) =>
      resolve({ status: response.statusCode ?? 0, body: response }),
    );
    outgoing.once('error', reject);
    outgoing.end(exchange.body);
  });

/** The whole body as text (UTF-8). */
export async function readText(response: HttpResponseStream): Promise<string> {
  const decoder = new TextDecoder();
  let text = '';
  for await (const chunk of response.body) text += decoder.decode(chunk, { stream: true });
  return text + decoder.decode();
}
