import type { ServerResponse } from 'node:http';
import { encodeJson, JSON_CONTENT_TYPE } from './json.js';
import type { Reply, ReplyHeaders, StreamReply } from './reply.js';
import type { OpenStreams } from './stream.js';

/** A reply ready to go out: its whole body as bytes, or a stream to start. */
export type Outgoing = WholeResponse | StreamReply;

export interface WholeResponse {
  readonly kind: 'whole';
  readonly status: number;
  readonly contentType: string;
  readonly bytes: Buffer;
  readonly headers: ReplyHeaders;
  readonly closeConnection: boolean;
}

/** Writes one reply on its response; see replySender. */
export type Send = (res: ServerResponse, outgoing: Outgoing) => void;

/** Throws when a JSON body cannot be encoded: a bug, which the caller answers with a 500. */
export function encodeReply(reply: Reply): Outgoing {
  switch (reply.kind) {
    case 'json':
      return whole(reply, JSON_CONTENT_TYPE, encodeJson(reply.body));
    case 'encoded-json':
      return whole(reply, JSON_CONTENT_TYPE, reply.bytes);
    case 'text':
      return whole(reply, reply.contentType, Buffer.from(reply.text, 'utf8'));
    case 'stream':
      return reply;
    default: {
      const unexpected: never = reply;
      return unexpected;
    }
  }
}

function whole(reply: Exclude<Reply, StreamReply>, contentType: string, bytes: Buffer): WholeResponse {
  return {
    kind: 'whole',
    status: reply.status,
    contentType,
    bytes,
    headers: reply.headers ?? {},
    closeConnection: reply.closeConnection === true,
  };
}

/**
 * Sends replies of one server. A response whose headers are already out (a client error
 * answered it first) or that is gone is skipped; a stream is started on `streams`, or its
 * refusal sent instead; once the server is closing, every connection is closed after its
 * response.
 */
export function replySender(streams: OpenStreams, isClosing: () => boolean): Send {
  const send: Send = (res, outgoing) => {
    if (res.headersSent || res.destroyed) {
      return;
    }
    if (outgoing.kind === 'stream') {
      const refusal = streams.start(res, outgoing);
      if (refusal !== null) send(res, encodeReply(refusal));
      return;
    }
    res.statusCode = outgoing.status;
    res.setHeader('Content-Type', outgoing.contentType);
    res.setHeader('Content-Length', outgoing.bytes.length);
    res.setHeader('Cache-Control', 'no-store');
    for (const [name, value] of Object.entries(outgoing.headers)) {
      res.setHeader(name, value);
    }
    if (outgoing.closeConnection || isClosing()) {
      // Node ends the socket once this response is written, instead of keeping it alive.
      res.setHeader('Connection', 'close');
    }
    res.end(outgoing.bytes);
  };
  return send;
}
