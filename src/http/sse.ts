import type { FeedItem } from '../agent/event-log.js';

/** The Content-Type of a Server-Sent Events stream (HTML Living Standard §9.2). */
export const SSE_CONTENT_TYPE = 'text/event-stream; charset=utf-8';

/** A comment line: clients ignore it, proxies see traffic. */
export const SSE_HEARTBEAT = ': ping\n\n';

export interface SseFrame {
  readonly id?: number;
  readonly event: string;
  /** One JSON value; JSON.stringify never emits a raw newline, so it fits on one `data:` line. */
  readonly data: unknown;
}

export function sseFrame(frame: SseFrame): string {
  const id = frame.id === undefined ? '' : `id: ${frame.id}\n`;
  return `${id}event: ${frame.event}\ndata: ${JSON.stringify(frame.data)}\n\n`;
}

/** The first bytes of every stream: how long EventSource should wait before reconnecting, and a hello. */
export function sseOpening(retryMs: number): string {
  return `retry: ${retryMs}\n: gossipd membership events\n\n`;
}

/**
 * An event as its frame. A gap carries the id just before the first event replayed after it:
 * the client's Last-Event-ID then moves past the loss, so a reconnect does not report it again.
 */
export function feedItemFrame(item: FeedItem): string {
  if (item.kind === 'event') return sseFrame({ id: item.event.id, event: item.event.type, data: item.event });
  return sseFrame({ id: item.gap.firstId - 1, event: 'gap', data: item.gap });
}
