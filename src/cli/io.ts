import { readFileSync } from 'node:fs';
import { hostname } from 'node:os';
import type { DestinationStream } from 'pino';
import type { Agent, AgentDeps } from '../agent/agent.js';
import type { AgentConfig } from '../config.js';
import type { HttpSend } from './http-transport.js';

export type ShutdownSignal = 'SIGTERM' | 'SIGINT';

/** Where signals come from; the process in production, a fake in tests. */
export interface SignalSource {
  on(signal: ShutdownSignal, listener: (signal: ShutdownSignal) => void): void;
  off(signal: ShutdownSignal, listener: (signal: ShutdownSignal) => void): void;
}

/**
 * Everything the CLI touches outside itself. main() runs in-process in tests, so nothing
 * here may be reached through a global.
 */
export interface CliIo {
  readonly stdout: (text: string) => void;
  readonly stderr: (text: string) => void;
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly readFile: (path: string) => string;
  readonly hostname: () => string;
  /** Requests to the agent's HTTP endpoint (the client commands). */
  readonly http: HttpSend;
  readonly createAgent: (config: AgentConfig, deps: AgentDeps) => Agent | Promise<Agent>;
  readonly signals: SignalSource;
  /** Where the agent's pino JSON lines go; default stdout. */
  readonly logStream?: DestinationStream;
}

export function processIo(): CliIo {
  return {
    stdout: (text) => process.stdout.write(text),
    stderr: (text) => process.stderr.write(text),
    env: process.env,
    readFile: (path) => readFileSync(path, 'utf8'),
    hostname,
    // Loaded on use, like the agent: each command loads only what it needs.
    http: async (exchange) => (await import('./http-transport.js')).sendHttp(exchange),
    createAgent: async (config, deps) => (await import('../agent/agent.js')).createAgent(config, deps),
    signals: {
      on: (signal, listener) => process.on(signal, listener),
      off: (signal, listener) => process.off(signal, listener),
    },
  };
}
