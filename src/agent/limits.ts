/**
 * The agent's bounds, in one place: on what a data dir, a key operation or a slow consumer of
 * events may make it hold. Each keeps memory bounded whatever peers, files or hooks do.
 */
export const AGENT_LIMITS = {
  /** Largest snapshot file read back from --data-dir (10,000 members take about 2 MB); a bigger one is ignored (warn). */
  maxSnapshotBytes: 32 * 1024 * 1024,
  /** Key operations this agent originates at once (each waits on the network up to its timeout); more are refused as `busy`. */
  maxRunningKeyOps: 4,
  /**
   * Members a key operation asks at once; each answer lets the next be asked. 64 answers fit in
   * a default socket receive buffer with room to spare for the gossip arriving meanwhile.
   */
  keyOpWindow: 64,
  /** Key requests remembered (by sender and id) so a resend is answered, not applied again: far more than operators make in the window. */
  maxRememberedKeyRequests: 1024,
  /** Queries this agent originates at once (each waits out its timeout); more are refused as `busy`. */
  maxRunningQueries: 16,
  /** Queries remembered (by origin and id) so a resend is acked again, not run again. */
  maxRememberedQueries: 1024,
  /** --on-query commands running at once; a query arriving beyond it is acknowledged but not answered (warn). */
  maxRunningQueryHandlers: 8,
  /** Sends of one query to a member that has not acknowledged it (the first and the resends). */
  queryAttempts: 3,
  /** Members one query is sent to directly: every member of a large cluster is more than one agent should fan out to at once. */
  maxQueryTargets: 4096,
  /** Answers collected per query; beyond it further answers are counted as acks only. */
  maxQueryResponses: 4096,
  /** `gossipd monitor` streams open at once (each also counts against the HTTP server's stream limit). */
  maxMonitors: 8,
} as const;

/**
 * Bounds on membership events and what reacts to them, in one place. Each keeps a slow
 * consumer (a hook that hangs, a webhook that is down) from growing the agent's memory.
 */
export const EVENT_LIMITS = {
  /** Events kept for Last-Event-ID resumption (GET /v1/events); older ones are reported as a gap. */
  bufferedEvents: 1024,
  /** Events waiting per --on-event handler; when full, the oldest waiting one is dropped (warn). */
  hookQueueEvents: 256,
  /** The last bytes of a hook's stderr (and stdout) kept for the log line when it fails. */
  hookOutputTailBytes: 2048,
  /** After a hook exits, wait this long for its output pipes to close (a background child may hold them). */
  hookPipeGraceMs: 1000,
  /** Most --on-event handlers. */
  maxHandlers: 64,
  /** Events waiting per --webhook URL; when full, the oldest waiting one is dropped (warn). */
  webhookQueueEvents: 1024,
  /** Most --webhook URLs. */
  maxWebhooks: 16,
  /** Tries per event and URL (the first and the retries). */
  webhookAttempts: 4,
  /** Each try is abandoned after this long. */
  webhookTimeoutMs: 10_000,
  /** Wait before the first retry; doubled before each further one (1 s, 2 s, 4 s). */
  webhookBackoffMs: 1000,
  /** Longest URL accepted for a webhook. */
  maxUrlBytes: 2048,
  /** Longest --on-event command. */
  maxCommandBytes: 4096,
} as const;
