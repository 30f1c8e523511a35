import type { EventFeed } from '../agent/event-log.js';
import { INDEX_HEADER, parseLastEventId } from './event-params.js';
import { HTTP_LIMITS } from './limits.js';
import { errorReply, type StreamReply } from './reply.js';
import type { Route } from './route.js';
import { feedItemFrame, SSE_CONTENT_TYPE, SSE_HEARTBEAT, sseOpening } from './sse.js';

/**
 * GET /v1/events: membership events as Server-Sent Events, live, after replaying what the
 * reader missed since its Last-Event-ID (or `?lastEventId=`), as far as the agent still has it.
 */
export const streamEvents: Route['handle'] = ({ api, query, request }) => {
  const feed = api.events;
  if (feed === undefined) return errorReply(501, 'this agent keeps no event log');
  const after = parseLastEventId(request.lastEventId, query);
  if (!after.ok) return errorReply(400, after.error);
  return eventStreamReply(feed, after.value);
};

function eventStreamReply(feed: EventFeed, after: number | null): StreamReply {
  return {
    kind: 'stream',
    status: 200,
    headers: { [INDEX_HEADER]: String(feed.index()) },
    stream: {
      contentType: SSE_CONTENT_TYPE,
      heartbeat: SSE_HEARTBEAT,
      start: (sink) => {
        sink.write(sseOpening(HTTP_LIMITS.eventRetryMs));
        // The replay is written synchronously inside subscribe(); a client cut off for falling
        // behind during it closes the sink, and the subscription with it.
        const subscription = feed.subscribe(after, {
          onItem: (item) => {
            sink.write(feedItemFrame(item));
          },
          onEnd: () => sink.end(),
        });
        sink.onClose(() => subscription.close());
      },
    },
  };
}
