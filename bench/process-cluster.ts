// What the two one-process-per-agent clusters (gossipd and Serf) share: signals for crash,
// pause and leave, /proc for CPU and RSS, nftables for loss.
import { setTimeout as sleep } from 'node:timers/promises';
import type { AgentProcess } from './agent-process.js';
import { isRunning, killHard } from './children.js';
import type { Cluster, Mode, Pacing, System, Usage } from './cluster.js';
import { setWireLoss } from './netns.js';
import { processCpuMs, processRssBytes } from './procfs.js';
import { ViewTracker } from './tracker.js';

export abstract class ProcessCluster<Ready> implements Cluster {
  abstract readonly system: System;
  readonly mode: Mode = 'multi-process';
  readonly tracker = new ViewTracker();
  /** Four starts in flight: starting node or serf binaries is itself the pacing on 2 cores. */
  readonly pacing: Pacing = { concurrent: 4, pauseMs: 0 };
  protected readonly agents = new Map<string, AgentProcess<Ready>>();
  private readonly gone: Array<AgentProcess<Ready>> = [];

  abstract add(): Promise<string>;
  abstract membersUrl(): string | null;
  abstract membersCommand(): { readonly command: string; readonly args: readonly string[] };
  /** The signal that makes this system leave gracefully. */
  protected abstract readonly leaveSignal: NodeJS.Signals;

  live(): readonly string[] {
    return [...this.agents.keys()];
  }

  async crash(name: string): Promise<void> {
    killHard(this.take(name).child);
  }

  async pause(name: string, ms: number): Promise<string> {
    const agent = this.agents.get(name);
    if (agent === undefined) throw new Error(`no running agent ${name}`);
    agent.child.kill('SIGSTOP');
    await sleep(ms);
    agent.child.kill('SIGCONT');
    return `one agent process (${name}, SIGSTOP then SIGCONT)`;
  }

  leave(name: string): void {
    this.take(name).child.kill(this.leaveSignal);
  }

  async setLoss(fraction: number): Promise<string | null> {
    return setWireLoss(fraction)
      ? `nftables in the bench's network namespace: ${(fraction * 100).toFixed(1)} % of all loopback packets (UDP and TCP) dropped on input`
      : null;
  }

  usage(): Usage {
    let cpuMs = 0;
    const rssBytes: number[] = [];
    for (const agent of this.agents.values()) {
      cpuMs += processCpuMs(agent.pid) ?? 0;
      const rss = processRssBytes(agent.pid);
      if (rss !== null) rssBytes.push(rss);
    }
    return { cpuMs, rssBytes, sent: null };
  }

  quiet(): boolean | null {
    return null;
  }

  async close(): Promise<void> {
    await this.setLoss(0);
    const all = [...this.agents.values(), ...this.gone];
    this.agents.clear();
    const exits = all
      .filter((agent) => isRunning(agent.child))
      .map((agent) => new Promise<void>((resolve) => agent.child.once('exit', () => resolve())));
    for (const agent of all) killHard(agent.child);
    await Promise.all(exits);
  }

  protected first(): AgentProcess<Ready> | undefined {
    return this.agents.values().next().value;
  }

  protected register(agent: AgentProcess<Ready>): void {
    this.agents.set(agent.name, agent);
  }

  private take(name: string): AgentProcess<Ready> {
    const agent = this.agents.get(name);
    if (agent === undefined) throw new Error(`no running agent ${name}`);
    this.agents.delete(name);
    this.gone.push(agent);
    this.tracker.removeObserver(name);
    return agent;
  }
}
