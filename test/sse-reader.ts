import { SseParser, type SseMessage } from '../src/cli/sse-parser.js';

/** Reads a GET /v1/events stream in the background, for tests. */
export class SseReader {
  readonly messages: SseMessage[] = [];
  /** Everything received, comments and all. */
  raw = '';
  ended = false;
  private readonly controller = new AbortController();

  private constructor(readonly response: Response) {}

  static async open(url: string, headers: Record<string, string> = {}): Promise<SseReader> {
    const controller = new AbortController();
    const response = await fetch(url, { headers, signal: controller.signal });
    const reader = new SseReader(response);
    reader.controller.signal.addEventListener('abort', () => controller.abort());
    void reader.pump();
    return reader;
  }

  /** The data of each message of this `event` type, parsed. */
  data(event: string): Record<string, unknown>[] {
    return this.messages.filter((m) => m.event === event).map((m) => JSON.parse(m.data) as Record<string, unknown>);
  }

  async waitFor(condition: () => boolean, timeoutMs: number): Promise<boolean> {
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      if (condition()) return true;
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    return condition();
  }

  close(): void {
    this.controller.abort();
  }

  private async pump(): Promise<void> {
    const body = this.response.body;
    if (body === null) return;
    const parser = new SseParser();
    const decoder = new TextDecoder();
    const stream = body.getReader();
    try {
      for (;;) {
        const chunk = await stream.read();
        if (chunk.done) break;
        const text = decoder.decode(chunk.value, { stream: true });
        this.raw += text;
        this.messages.push(...parser.feed(text));
      }
    } catch {
      // Aborted by close(), or the server cut the connection.
    }
    this.ended = true;
  }
}
