import type { Logger } from 'pino';
import type { AgentConfig } from '../config.js';
import { KEY_SPECS } from '../config/keys.js';
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
          env: hookEnvironment(deps.env),
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
 * Variables whose values are secrets, left out of every --on-event command's environment: the
 * cluster key and the HTTP token are no business of a hook, and a hook's environment is easy
 * to leak (a debug `env` dump, /proc/PID/environ of a long-running child, a crash report).
 * A hook that must call a guarded endpoint reads a token file of its own.
 */
export const SECRET_ENV_NAMES: readonly string[] = [KEY_SPECS.encrypt.env, KEY_SPECS.httpToken.env];

/** The agent's environment without its secrets, for --on-event commands. */
export function hookEnvironment(env: Readonly<Record<string, string | undefined>>): Record<string, string | undefined> {
  const copy = { ...env };
  for (const name of SECRET_ENV_NAMES) delete copy[name];
  return copy;
}
