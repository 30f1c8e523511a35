import type { ForceLeaveRefusalReason } from '../agent/api.js';
import { isMonitorLevel, LOG_LEVEL_VALUES, type MonitorLevel } from '../config/log-levels.js';
import type { QueryOutcome, QueryProgress, QueryRefusal } from '../agent/query-originator.js';
import { parseForceLeaveBody, parseQueryBody, parseUserEventBody } from './cluster-bodies.js';
import { readParsedBody } from './json-body.js';
import { HTTP_LIMITS } from './limits.js';
import { errorReply, jsonReply, type Reply, type StreamReply } from './reply.js';
import type { Route, RouteContext } from './route.js';
import { SSE_CONTENT_TYPE, SSE_HEARTBEAT, sseFrame, sseOpening } from './sse.js';

/**
 * The Serf-style cluster operations: user events, queries, force-leave, and the agent's own
 * info and logs. Each needs the agent to offer it (test fakes may not: 501).
 */
export const CLUSTER_ROUTES: readonly Route[] = [
  { method: 'POST', path: '/v1/user-events', query: [], mayCloseServer: false, needsToken: true, handle: postUserEvent },
  { method: 'POST', path: '/v1/query', query: ['stream'], mayCloseServer: false, needsToken: true, handle: postQuery },
  { method: 'POST', path: '/v1/force-leave', query: [], mayCloseServer: false, needsToken: true, handle: postForceLeave },
  { method: 'GET', path: '/v1/info', query: [], mayCloseServer: false, needsToken: false, handle: getInfo },
  // Log lines may name members, addresses and commands: reading them needs the token, like the keys.
  { method: 'GET', path: '/v1/monitor', query: ['level'], mayCloseServer: false, needsToken: true, handle: getMonitor },
];

function notOffered(what: string): Reply {
  return errorReply(501, `this agent does not offer ${what}`);
}

async function postUserEvent({ api, request }: RouteContext): Promise<Reply> {
  if (api.userEvent === undefined) return notOffered('user events');
  const event = await readParsedBody(request, parseUserEventBody);
  if (!event.ok) return event.reply;
  const sent = api.userEvent(event.value.name, event.value.payload, event.value.coalesce);
  return sent.ok ? jsonReply(200, sent.value) : errorReply(409, sent.error);
}

const QUERY_REFUSAL_STATUS: Readonly<Record<QueryRefusal, 400 | 409 | 503>> = { 'too-large': 400, busy: 503, stopping: 409 };

/**
 * 200 `{"acks":[…],"responses":[{"from","payload"}…]}` when the timeout ends. With `?stream=1`
 * the answer is Server-Sent Events instead: `ack` and `response` as they arrive, then `done`
 * with the whole report (what `gossipd query` reads).
 */
async function postQuery({ api, request, query }: RouteContext): Promise<Reply> {
  const run = api.query;
  if (run === undefined) return notOffered('queries');
  const streamFlag = query.get('stream');
  if (streamFlag !== null && streamFlag !== '1' && streamFlag !== 'true') {
    return errorReply(400, `stream: ${JSON.stringify(streamFlag)} is not 1 or true`);
  }
  const parsed = await readParsedBody(request, parseQueryBody);
  if (!parsed.ok) return parsed.reply;
  if (streamFlag === null) return queryReply(await run.call(api, parsed.value));
  const events: string[] = [];
  let sink: ((text: string) => void) | null = null;
  const emit = (text: string): void => {
    if (sink === null) events.push(text);
    else sink(text);
  };
  const outcome = run.call(api, parsed.value, (progress: QueryProgress) => emit(sseFrame({ event: progress.type, data: progress })));
  const reply: StreamReply = {
    kind: 'stream',
    status: 200,
    stream: {
      contentType: SSE_CONTENT_TYPE,
      heartbeat: SSE_HEARTBEAT,
      start: (out) => {
        out.write(sseOpening(HTTP_LIMITS.eventRetryMs));
        for (const text of events.splice(0)) out.write(text);
        sink = (text) => void out.write(text);
        void outcome.then((result) => {
          out.write(result.ok ? sseFrame({ event: 'done', data: reportBody(result.value) }) : sseFrame({ event: 'error', data: { error: result.error } }));
          out.end();
        });
      },
    },
  };
  return reply;
}

function queryReply(outcome: QueryOutcome): Reply {
  if (!outcome.ok) return errorReply(QUERY_REFUSAL_STATUS[outcome.reason], outcome.error);
  return jsonReply(200, reportBody(outcome.value));
}

function reportBody(report: { readonly asked: number; readonly acks: readonly string[]; readonly responses: readonly unknown[] }): unknown {
  return { asked: report.asked, acks: report.acks, responses: report.responses };
}

const FORCE_LEAVE_STATUS: Readonly<Record<ForceLeaveRefusalReason, 404 | 409>> = {
  'unknown-member': 404,
  'not-failed': 409,
  self: 409,
  'not-running': 409,
};

async function postForceLeave({ api, request }: RouteContext): Promise<Reply> {
  if (api.forceLeave === undefined) return notOffered('force-leave');
  const parsed = await readParsedBody(request, parseForceLeaveBody);
  if (!parsed.ok) return parsed.reply;
  const outcome = api.forceLeave(parsed.value.name, parsed.value.prune);
  return outcome.ok ? jsonReply(200, outcome.value) : errorReply(FORCE_LEAVE_STATUS[outcome.reason], outcome.error);
}

function getInfo({ api }: RouteContext): Reply {
  return api.info === undefined ? notOffered('info') : jsonReply(200, api.info());
}

/** `gossipd monitor`: the agent's log lines (pino JSON) as SSE `log` events, from now on. */
function getMonitor({ api, query }: RouteContext): Reply {
  const logs = api.logs;
  if (logs === undefined) return notOffered('log streaming (monitor)');
  const raw = query.get('level') ?? 'info';
  if (!isMonitorLevel(raw)) return errorReply(400, `level: ${JSON.stringify(raw)} is not one of ${Object.keys(LOG_LEVEL_VALUES).join(', ')}`);
  const level: MonitorLevel = raw;
  return {
    kind: 'stream',
    status: 200,
    stream: {
      contentType: SSE_CONTENT_TYPE,
      heartbeat: SSE_HEARTBEAT,
      start: (sink) => {
        sink.write(sseOpening(HTTP_LIMITS.eventRetryMs));
        // The line is pino's JSON already: sent as it is, one `data:` line (JSON holds no raw newline).
        const subscription = logs.subscribe(level, (line) => void sink.write(`event: log\ndata: ${line}\n\n`));
        if (subscription === null) {
          sink.write(sseFrame({ event: 'error', data: { error: 'too many monitors open' } }));
          sink.end();
          return;
        }
        sink.onClose(() => subscription.close());
      },
    },
  };
}
