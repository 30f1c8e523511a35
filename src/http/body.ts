import type { IncomingMessage } from 'node:http';

export type BodyResult =
  | { readonly ok: true; readonly bytes: Buffer }
  | { readonly ok: false; readonly status: 400 | 413; readonly error: string; readonly closeConnection: boolean };

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
    return Promise.resolve({ ok: false, status: 413, error: tooLarge, closeConnection: true });
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
        settle({ ok: false, status: 413, error: tooLarge, closeConnection: true });
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
        settle({ ok: false, status: 413, error: tooLarge, closeConnection: false });
      } else {
        settle({ ok: true, bytes: Buffer.concat(chunks) });
      }
    });
    req.once('close', () => {
      settle({ ok: false, status: 400, error: 'request body was cut short', closeConnection: true });
    });
    req.once('error', () => {
      settle({ ok: false, status: 400, error: 'request body was cut short', closeConnection: true });
    });
  });
}
