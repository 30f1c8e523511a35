import type { IncomingMessage } from 'node:http';
import { failure, success, type Result } from '../result.js';

/**
 * Why a body was not read: `too-large` was read to its end and dropped, so the connection can
 * carry the 413; `too-large-unread` is too large to drain (declared or sent), so the connection
 * is cut after the 413; `cut-short` ended before its end (400, and the connection is gone).
 */
export type BodyRefusal = 'too-large' | 'too-large-unread' | 'cut-short';

/** How each refusal is answered. */
export const BODY_REFUSAL_REPLIES: Readonly<Record<BodyRefusal, { readonly status: 400 | 413; readonly closeConnection: boolean }>> = {
  'too-large': { status: 413, closeConnection: false },
  'too-large-unread': { status: 413, closeConnection: true },
  'cut-short': { status: 400, closeConnection: true },
};

export type BodyResult = Result<Buffer, BodyRefusal>;

export interface BodyLimits {
  readonly maxBodyBytes: number;
  readonly maxDrainBytes: number;
}

/**
 * Read a request body of at most `maxBodyBytes`. Never rejects: a body that is too large or
 * cut short comes back as a value the route turns into a 4xx.
 */
export function readBody(req: IncomingMessage, limits: BodyLimits): Promise<BodyResult> {
  const tooLarge = `body exceeds ${limits.maxBodyBytes} bytes`;
  const declaredBytes = Number(req.headers['content-length'] ?? Number.NaN);
  if (declaredBytes > limits.maxDrainBytes) {
    // Not worth reading to the end just to answer politely; the connection is cut after the 413.
    return Promise.resolve(failure('too-large-unread', tooLarge));
  }
  return new Promise<BodyResult>((resolve) => {
    const chunks: Buffer[] = [];
    let receivedBytes = 0;
    let settled = false;
    const settle = (result: BodyResult): void => {
      if (settled) {
        return;
      }
      settled = true;
      req.off('data', onData);
      resolve(result);
    };
    const onData = (chunk: Buffer): void => {
      receivedBytes += chunk.length;
      if (receivedBytes > limits.maxDrainBytes) {
        settle(failure('too-large-unread', tooLarge));
      } else if (receivedBytes > limits.maxBodyBytes) {
        // Keep reading (and dropping) so the 413 goes out on a connection the client can still read.
        chunks.length = 0;
      } else {
        chunks.push(chunk);
      }
    };
    req.on('data', onData);
    req.once('end', () => {
      if (receivedBytes > limits.maxBodyBytes) {
        settle(failure('too-large', tooLarge));
      } else {
        settle(success(Buffer.concat(chunks)));
      }
    });
    req.once('close', () => {
      settle(failure('cut-short', 'request body was cut short'));
    });
    req.once('error', () => {
      settle(failure('cut-short', 'request body was cut short'));
    });
  });
}
