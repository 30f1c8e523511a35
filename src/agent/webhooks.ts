import { setTimeout as delay } from 'node:timers/promises';
import type { Logger } from 'pino';
import { EVENT_LIMITS } from './limits.js';
import type { MembershipEvent } from './membership-event.js';
import { SerialQueue } from './serial-queue.js';

export interface WebhooksOptions {
  readonly urls: readonly string[];
  readonly logger: Logger;
  /** Default: the global fetch. */
  readonly fetch?: typeof fetch;
  /** Tries per event (the first and the retries). Default EVENT_LIMITS.webhookAttempts. */
  readonly attempts?: number;
  /** Each try is abandoned after this long. Default EVENT_LIMITS.webhookTimeoutMs. */
  readonly timeoutMs?: number;
  /** Wait before the first retry, doubled before each further one. Default EVENT_LIMITS.webhookBackoffMs. */
  readonly backoffMs?: number;
  /** Events waiting per URL. Default EVENT_LIMITS.webhookQueueEvents. */
  readonly queueCapacity?: number;
}

/** How one try went: delivered, worth another try, or refused for good (a 4xx other than 408/425/429). */
type TryResult = { readonly kind: 'delivered'; readonly status: number } | { readonly kind: 'retry' | 'refused'; readonly reason: string };

/**
 * POSTs every membership event as JSON to each --webhook URL. One queue per URL: events go out
 * in order, one at a time, each retried with exponential backoff; a URL that is down delays
 * only its own queue, which sheds its oldest events when full.
 */
export class Webhooks {
  private readonly queues: readonly SerialQueue<MembershipEvent>[];
  /** Aborted on close: cuts in-flight requests and backoff waits short. */
  private readonly closing = new AbortController();

  constructor(private readonly options: WebhooksOptions) {
    this.queues = options.urls.map((url) => this.queueFor(url));
  }

  handle(event: MembershipEvent): void {
    if (this.closing.signal.aborted) return;
    for (const queue of this.queues) queue.push(event);
  }

  /** Resolves once nothing is waiting or being sent. */
  async idle(): Promise<void> {
    await Promise.all(this.queues.map((queue) => queue.idle()));
  }

  /** The agent is stopping: what is waiting is dropped (logged), what is in flight is cut off. */
  close(): void {
    if (this.closing.signal.aborted) return;
    this.closing.abort();
    for (const [index, queue] of this.queues.entries()) {
      const forgotten = queue.stop();
      if (forgotten > 0) {
        this.options.logger.warn({ url: redact(this.options.urls[index] ?? ''), dropped: forgotten }, 'agent stopping: webhook events not sent were dropped');
      }
    }
  }

  private queueFor(url: string): SerialQueue<MembershipEvent> {
    const capacity = this.options.queueCapacity ?? EVENT_LIMITS.webhookQueueEvents;
    return new SerialQueue<MembershipEvent>({
      capacity,
      run: (event) => this.deliver(url, event),
      onDrop: (event, dropped) =>
        this.options.logger.warn(
          { url: redact(url), event: event.type, id: event.id, dropped, queue: capacity },
          'webhook falling behind: dropped the oldest waiting event',
        ),
      onError: (error) => this.options.logger.error({ err: error, url: redact(url) }, 'webhook delivery failed'),
    });
  }

  private async deliver(url: string, event: MembershipEvent): Promise<void> {
    const attempts = this.options.attempts ?? EVENT_LIMITS.webhookAttempts;
    const backoffMs = this.options.backoffMs ?? EVENT_LIMITS.webhookBackoffMs;
    const fields = { url: redact(url), event: event.type, id: event.id };
    const body = JSON.stringify(event);
    let reason = '';
    for (let attempt = 1; attempt <= attempts; attempt++) {
      if (this.closing.signal.aborted) return;
      const result = await this.post(url, event, body);
      if (result.kind === 'delivered') {
        this.options.logger.debug({ ...fields, status: result.status, attempt }, 'webhook delivered');
        return;
      }
      reason = result.reason;
      if (result.kind === 'refused') {
        this.options.logger.error({ ...fields, reason, attempt }, 'webhook refused the event: not retried');
        return;
      }
      if (attempt < attempts) {
        const waitMs = backoffMs * 2 ** (attempt - 1);
        this.options.logger.warn({ ...fields, reason, attempt, retryInMs: waitMs }, 'webhook delivery failed: will retry');
        await delay(waitMs, undefined, { signal: this.closing.signal }).catch(() => undefined); // an abort ends the wait early
      }
    }
    if (this.closing.signal.aborted) return;
    this.options.logger.error({ ...fields, reason, attempts }, 'webhook delivery failed after every retry: event dropped');
  }

  private async post(url: string, event: MembershipEvent, body: string): Promise<TryResult> {
    const timeoutMs = this.options.timeoutMs ?? EVENT_LIMITS.webhookTimeoutMs;
    const attempt = new AbortController();
    const onClose = (): void => attempt.abort();
    this.closing.signal.addEventListener('abort', onClose, { once: true });
    const timer = setTimeout(() => attempt.abort(), timeoutMs);
    try {
      const response = await (this.options.fetch ?? fetch)(url, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          'user-agent': 'gossipd',
          'x-gossipd-event': event.type,
          'x-gossipd-event-id': String(event.id),
        },
        body,
        signal: attempt.signal,
      });
      // Free the connection; what the receiver says beyond its status is not used.
      await response.body?.cancel().catch(() => undefined);
      if (response.ok) return { kind: 'delivered', status: response.status };
      const reason = `HTTP ${response.status}`;
      return isRetryable(response.status) ? { kind: 'retry', reason } : { kind: 'refused', reason };
    } catch (error) {
      if (attempt.signal.aborted && !this.closing.signal.aborted) return { kind: 'retry', reason: `no answer within ${timeoutMs} ms` };
      return { kind: 'retry', reason: causeText(error) };
    } finally {
      clearTimeout(timer);
      this.closing.signal.removeEventListener('abort', onClose);
    }
  }
}

/** Server trouble, overload and timeouts are worth retrying; any other 4xx will not change. */
function isRetryable(status: number): boolean {
  return status >= 500 || status === 408 || status === 425 || status === 429;
}

/** Origin and path only: a secret in the query string stays out of the logs. */
function redact(url: string): string {
  try {
    const parsed = new URL(url);
    return `${parsed.origin}${parsed.pathname}`;
  } catch {
    return '(invalid URL)';
  }
}

/** fetch hides the socket error ("ECONNREFUSED…") in its cause. */
function causeText(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  const cause: unknown = error.cause;
  return cause instanceof Error ? `${error.message}: ${cause.message}` : error.message;
}
