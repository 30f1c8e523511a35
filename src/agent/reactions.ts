import type { Logger } from 'pino';
import type { AgentConfig } from '../config.js';
import type { EventFeed, Subscription } from './event-log.js';
import { EventHooks } from './hooks.js';
import { Webhooks, type WebhooksOptions } from './webhooks.js';

export interface ReactionsDeps {
  readonly logger: Logger;
  /** The environment --on-event commands inherit. */
  readonly env: Readonly<Record<string, string | undefined>>;
  /** Variables about this agent for the commands (GOSSIPD_SELF, GOSSIPD_HTTP). */
  readonly agentEnv: () => Readonly<Record<string, string>>;
  /** Webhook tuning (fetch, backoff), for tests. */
  readonly webhooks?: Partial<Omit<WebhooksOptions, 'urls' | 'logger'>>;
}

/** What the agent does about its membership events beyond logging them: --on-event and --webhook. */
export interface Reactions {
  /** Resolves once every hook and webhook queue is empty. */
  idle(): Promise<void>;
  /** idle(), but for at most `timeoutMs`: a graceful leave lets them finish, within a bound. */
  settle(timeoutMs: number): Promise<void>;
  close(): void;
}

/** Subscribes the configured hooks and webhooks to live events; null when none is configured. */
export function startReactions(feed: EventFeed, config: AgentConfig, deps: ReactionsDeps): Reactions | null {
  if (config.onEvent.length === 0 && config.webhooks.length === 0) return null;
  const hooks =
    config.onEvent.length === 0
      ? null
      : new EventHooks({
          handlers: config.onEvent,
          timeoutMs: config.hookTimeoutMs,
          logger: deps.logger.child({ component: 'hooks' }),
          env: withoutClusterKey(deps.env),
          agentEnv: deps.agentEnv,
        });
  const webhooks =
    config.webhooks.length === 0
      ? null
      : new Webhooks({ ...deps.webhooks, urls: config.webhooks, logger: deps.logger.child({ component: 'webhooks' }) });
  const subscription: Subscription = feed.subscribe(null, {
    onItem: (item) => {
      if (item.kind !== 'event') return;
      hooks?.handle(item.event);
      webhooks?.handle(item.event);
    },
    onEnd: () => undefined,
  });
  const idle = async (): Promise<void> => {
    await Promise.all([hooks?.idle(), webhooks?.idle()]);
  };
  return {
    idle,
    settle: (timeoutMs) => {
      let timer: NodeJS.Timeout | undefined;
      const timeout = new Promise<void>((resolve) => {
        timer = setTimeout(resolve, timeoutMs);
      });
      return Promise.race([idle(), timeout]).finally(() => clearTimeout(timer));
    },
    close: () => {
      subscription.close();
      hooks?.close();
      webhooks?.close();
    },
  };
}

/**
 * The cluster's encryption key is no business of a hook: it is left out of the commands'
 * environment. (GOSSIPD_HTTP_TOKEN stays, so that a script can call the agent with the CLI.)
 */
function withoutClusterKey(env: Readonly<Record<string, string | undefined>>): Record<string, string | undefined> {
  const copy = { ...env };
  delete copy['GOSSIPD_ENCRYPT'];
  return copy;
}
