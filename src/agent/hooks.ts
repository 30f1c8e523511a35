import type { Logger } from 'pino';
import type { EventHandler } from '../config/event-handlers.js';
import { formatDuration } from '../config/duration.js';
import { eventEnv } from './event-env.js';
import { EVENT_LIMITS } from './limits.js';
import { runCommand, type CommandOutcome, type CommandRun } from './hook-process.js';
import type { MembershipEvent } from './membership-event.js';
import { SerialQueue } from './serial-queue.js';

export interface EventHooksOptions {
  readonly handlers: readonly EventHandler[];
  /** A command still running after this long is killed (SIGKILL to its process group). */
  readonly timeoutMs: number;
  readonly logger: Logger;
  /** The environment commands inherit; each event's GOSSIPD_* variables are laid over it. */
  readonly env: Readonly<Record<string, string | undefined>>;
  /** Variables about this agent (GOSSIPD_SELF, GOSSIPD_HTTP), read as each command starts. */
  readonly agentEnv: () => Readonly<Record<string, string>>;
  /** Events waiting per handler. Default EVENT_LIMITS.hookQueueEvents. */
  readonly queueCapacity?: number;
}

interface Hook {
  readonly handler: EventHandler;
  readonly queue: SerialQueue<MembershipEvent>;
}

/**
 * The --on-event handlers. Each has its own queue: its command runs once per event, one at a
 * time and in order (a failover script never races itself), while a slow handler delays no
 * other. Every failure is logged with the end of the command's stderr.
 */
export class EventHooks {
  private readonly hooks: readonly Hook[];
  private readonly running = new Set<CommandRun>();
  private closed = false;

  constructor(private readonly options: EventHooksOptions) {
    this.hooks = options.handlers.map((handler) => ({ handler, queue: this.queueFor(handler) }));
  }

  handle(event: MembershipEvent): void {
    if (this.closed) return;
    for (const hook of this.hooks) {
      if (hook.handler.event === '*' || hook.handler.event === event.type) hook.queue.push(event);
    }
  }

  /** Resolves once no command is waiting or running. */
  async idle(): Promise<void> {
    await Promise.all(this.hooks.map((hook) => hook.queue.idle()));
  }

  /**
   * The agent is stopping: forget waiting events and SIGTERM the commands still running (their
   * whole process groups). They may trap it to finish up; nothing waits for them.
   */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    for (const { handler, queue } of this.hooks) {
      const forgotten = queue.stop();
      if (forgotten > 0) {
        this.options.logger.warn({ command: handler.command, dropped: forgotten }, 'agent stopping: events waiting for an --on-event command were dropped');
      }
    }
    for (const run of this.running) run.kill('SIGTERM');
  }

  private queueFor(handler: EventHandler): SerialQueue<MembershipEvent> {
    const capacity = this.options.queueCapacity ?? EVENT_LIMITS.hookQueueEvents;
    return new SerialQueue<MembershipEvent>({
      capacity,
      run: (event) => this.run(handler, event),
      onDrop: (event, dropped) =>
        this.options.logger.warn(
          { command: handler.command, event: event.type, id: event.id, member: event.member, dropped, queue: capacity },
          '--on-event command falling behind: dropped the oldest waiting event',
        ),
      onError: (error) => this.options.logger.error({ err: error, command: handler.command }, '--on-event handler failed'),
    });
  }

  private async run(handler: EventHandler, event: MembershipEvent): Promise<void> {
    if (this.closed) return;
    const run = runCommand({
      command: handler.command,
      // A user event's command reads its payload as sent (as Serf's handlers do); others read the event as JSON.
      input: event.type === 'user-event' ? event.payload : `${JSON.stringify(event)}\n`,
      env: { ...this.options.env, ...this.options.agentEnv(), ...eventEnv(event) },
      timeoutMs: this.options.timeoutMs,
      tailBytes: EVENT_LIMITS.hookOutputTailBytes,
      pipeGraceMs: EVENT_LIMITS.hookPipeGraceMs,
    });
    this.running.add(run);
    const outcome = await run.done;
    this.running.delete(run);
    this.report(handler, event, outcome);
  }

  private report(handler: EventHandler, event: MembershipEvent, outcome: CommandOutcome): void {
    const log = this.options.logger;
    const fields = { command: handler.command, event: event.type, id: event.id, member: event.member, ms: outcome.ms };
    switch (outcome.kind) {
      case 'exited':
        if (outcome.code === 0) log.debug({ ...fields, stdout: outcome.stdout }, '--on-event command finished');
        else log.error({ ...fields, exitCode: outcome.code, stderr: outcome.stderr }, '--on-event command failed');
        return;
      case 'signaled':
        if (this.closed) log.warn({ ...fields, signal: outcome.signal }, 'agent stopping: --on-event command was stopped');
        else log.error({ ...fields, signal: outcome.signal, stderr: outcome.stderr }, '--on-event command was killed');
        return;
      case 'timed-out':
        log.error(
          { ...fields, timeout: formatDuration(this.options.timeoutMs), stderr: outcome.stderr },
          '--on-event command timed out: killed it and its process group',
        );
        return;
      case 'spawn-error':
        log.error({ ...fields, err: outcome.error }, '--on-event command could not be started');
        return;
      default: {
        const unhandled: never = outcome;
        throw new Error(`unhandled outcome ${JSON.stringify(unhandled)}`);
      }
    }
  }
}
