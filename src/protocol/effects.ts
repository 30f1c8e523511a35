import type { NodeEvent } from './events.js';
import type { Message } from './messages.js';
import type { Address } from './types.js';

/** One datagram the core wants sent. */
export interface Datagram {
  readonly to: Address;
  readonly messages: readonly Message[];
}

/**
 * What one input (a received datagram, a tick, a command) asks of the shell, in order: send
 * these datagrams, deliver these events, and call tick() at `nextDeadlineMs` (Infinity: no
 * timer). Every input returns it, so no caller can forget to re-arm its timer.
 */
export interface Effects {
  readonly datagrams: readonly Datagram[];
  readonly events: readonly NodeEvent[];
  readonly nextDeadlineMs: number;
}

/** What the core collects while it handles one input; drained into Effects at the end. */
export class Outbox {
  private datagrams: Datagram[] = [];
  private events: NodeEvent[] = [];

  send(to: Address, messages: readonly Message[]): void {
    this.datagrams.push({ to, messages });
  }

  emit(event: NodeEvent): void {
    this.events.push(event);
  }

  drain(nextDeadlineMs: number): Effects {
    const effects: Effects = { datagrams: this.datagrams, events: this.events, nextDeadlineMs };
    this.datagrams = [];
    this.events = [];
    return effects;
  }
}
