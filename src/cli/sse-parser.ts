/** One dispatched Server-Sent Events message. */
export interface SseMessage {
  /** The `event:` field; "message" when absent, as in the standard. */
  readonly event: string;
  readonly data: string;
  /** The last event id seen so far (it carries over between messages), or null. */
  readonly lastEventId: string | null;
}

/**
 * A push parser for text/event-stream (HTML Living Standard §9.2.6): feed it decoded text in
 * whatever pieces the network delivers, get back the messages completed so far. No I/O.
 */
export class SseParser {
  private buffer = '';
  private event = '';
  private data: string[] = [];
  private lastEventId: string | null = null;
  /** A chunk that ended in "\r": a "\n" starting the next one belongs to the same line break. */
  private skipLeadingLf = false;

  feed(text: string): SseMessage[] {
    let input = text;
    if (this.skipLeadingLf && input.startsWith('\n')) input = input.slice(1);
    this.skipLeadingLf = input.endsWith('\r');
    this.buffer += input;
    const messages: SseMessage[] = [];
    const lines = this.buffer.split(/\r\n|\r|\n/);
    // The last piece has no line break yet: keep it for the next chunk.
    this.buffer = lines.pop() ?? '';
    for (const line of lines) {
      const message = this.line(line);
      if (message !== null) messages.push(message);
    }
    return messages;
  }

  private line(line: string): SseMessage | null {
    if (line === '') return this.dispatch();
    if (line.startsWith(':')) return null;
    const colon = line.indexOf(':');
    const field = colon === -1 ? line : line.slice(0, colon);
    let value = colon === -1 ? '' : line.slice(colon + 1);
    if (value.startsWith(' ')) value = value.slice(1);
    switch (field) {
      case 'event':
        this.event = value;
        break;
      case 'data':
        this.data.push(value);
        break;
      case 'id':
        if (!value.includes('\0')) this.lastEventId = value;
        break;
      default:
        // `retry` and unknown fields: this client keeps its own reconnection schedule.
        break;
    }
    return null;
  }

  private dispatch(): SseMessage | null {
    const event = this.event === '' ? 'message' : this.event;
    const data = this.data;
    this.event = '';
    this.data = [];
    if (data.length === 0) return null;
    return { event, data: data.join('\n'), lastEventId: this.lastEventId };
  }
}
