import { INDEX_HEADER, parseBlockingQuery } from './event-params.js';
import { HTTP_LIMITS } from './limits.js';
import { errorReply } from './reply.js';
import type { Route } from './route.js';

/**
 * Makes a listing a blocking query (as Consul's): with `?index=N`, the answer waits until the
 * agent's event index is no longer N, or `wait` runs out, the client hangs up or the agent
 * stops. Every answer carries the index it reflects in X-Gossipd-Index, for the next call.
 * An index other than the current one (older, or from before a restart) answers at once.
 */
export function withIndex(handle: Route['handle']): Route['handle'] {
  return async (context) => {
    const feed = context.api.events;
    const blocking = parseBlockingQuery(context.query, HTTP_LIMITS.maxBlockingWaitMs);
    if (!blocking.ok) return errorReply(400, blocking.error);
    if (feed === undefined) {
      return blocking.value.index === null ? handle(context) : errorReply(501, 'this agent keeps no event log: index is not supported');
    }
    if (blocking.value.index !== null) {
      // A request the listing refuses (a bad filter) is refused now, not after the wait.
      const early = await handle(context);
      if (early.status >= 400) return early;
      await feed.waitForChange(blocking.value.index, blocking.value.waitMs, context.request.signal);
    }
    // Read before listing: a change in between makes the next call return at once, never miss.
    const index = feed.index();
    const reply = await handle(context);
    return { ...reply, headers: { ...reply.headers, [INDEX_HEADER]: String(index) } };
  };
}
