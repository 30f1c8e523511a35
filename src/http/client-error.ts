import { STATUS_CODES, type ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import type { Logger } from 'pino';
import { encodeJson, JSON_CONTENT_TYPE } from './json.js';
import { HTTP_LIMITS, type HttpTimeouts } from './limits.js';
import { errorReply } from './reply.js';
import { encodeReply, type Send } from './send.js';

export interface ClientErrorContext {
  readonly timeouts: HttpTimeouts;
  readonly logger: Logger | undefined;
  /** The response in progress on each socket: a client error there must answer through it. */
  readonly responseOn: ReadonlyMap<Socket, ServerResponse>;
  readonly send: Send;
}

/**
 * Answers a request Node could not parse or that timed out (the server's 'clientError').
 * Node's default answer is a bare status line; ours stays JSON like every other error. Then
 * the connection is closed either way.
 */
export function answerClientError(error: NodeJS.ErrnoException, socket: Socket, context: ClientErrorContext): void {
  const status = clientErrorStatus(error.code);
  context.logger?.debug({ err: error.message, code: error.code, status }, 'http client error');
  const res = context.responseOn.get(socket);
  if (status === null || !socket.writable || (res !== undefined && (res.headersSent || res.destroyed))) {
    socket.destroy();
    return;
  }
  // Give a slow or never-arriving request a moment to read the answer, then let it go.
  setTimeout(() => socket.destroy(), HTTP_LIMITS.closeGraceMs).unref();
  const reply = { ...errorReply(status, clientErrorMessage(status, context.timeouts)), closeConnection: true };
  if (res !== undefined) {
    // Its body is still arriving (the route waits in readBody): answer through the response,
    // so the route's own reply, if it ever comes, finds the headers sent and is skipped.
    context.send(res, encodeReply(reply));
    return;
  }
  writeRaw(socket, status, encodeJson(reply.body));
}

/** No response object exists yet (the request never parsed): the answer goes on the socket itself. */
function writeRaw(socket: Socket, status: number, body: Buffer): void {
  const head =
    `HTTP/1.1 ${status} ${STATUS_CODES[status] ?? ''}\r\nContent-Type: ${JSON_CONTENT_TYPE}\r\n` +
    `Content-Length: ${body.length}\r\nCache-Control: no-store\r\nConnection: close\r\n\r\n`;
  socket.end(Buffer.concat([Buffer.from(head, 'latin1'), body]));
}

/** The status answered to a broken request, or null when there is no one left to answer. */
function clientErrorStatus(code: string | undefined): 400 | 408 | 413 | 431 | null {
  switch (code) {
    case 'ECONNRESET':
    case 'EPIPE':
      return null;
    case 'ERR_HTTP_REQUEST_TIMEOUT':
      return 408;
    case 'HPE_HEADER_OVERFLOW':
      return 431;
    case 'HPE_CHUNK_EXTENSIONS_OVERFLOW':
      return 413;
    default:
      return 400;
  }
}

function clientErrorMessage(status: 400 | 408 | 413 | 431, timeouts: HttpTimeouts): string {
  switch (status) {
    case 408:
      return (
        `the request did not arrive in time (headers within ${timeouts.headersTimeoutMs} ms, ` +
        `all of it within ${timeouts.requestTimeoutMs} ms)`
      );
    case 431:
      return 'the request headers are too large';
    case 413:
      return 'the request is too large';
    case 400:
      return 'malformed HTTP request';
  }
}
