/**
 * The agent's own log lines for `gossipd monitor` (GET /v1/monitor): pino writes every line here
 * as well as to its usual destination, and each monitor gets the lines at or above its level.
 * Writing never waits on a reader: a monitor that reads too slowly is cut off by the HTTP
 * stream's backlog bound, never buffered here.
 */
import { LOG_LEVEL_VALUES, type MonitorLevel } from '../config/log-levels.js';


/** What GET /v1/monitor reads. */
export interface LogFeed {
  /** Calls `onLine` with each line (JSON, no newline) at or above `level`; null when too many monitors are open. */
  subscribe(level: MonitorLevel, onLine: (line: string) => void): { close(): void } | null;
}

interface Monitor {
  readonly minLevel: number;
  readonly onLine: (line: string) => void;
}

const LEVEL_FIELD = /"level":(\d+)/;

export class LogTee implements LogFeed {
  private readonly monitors = new Set<Monitor>();
  /** Set while lines go out: a line logged by a monitor's own writing (a slow client cut off) is not fed back to it. */
  private writing = false;

  constructor(private readonly maxMonitors: number) {}

  /** pino's destination interface. */
  write(chunk: string): void {
    if (this.monitors.size === 0 || this.writing) return;
    const level = Number(LEVEL_FIELD.exec(chunk)?.[1] ?? LOG_LEVEL_VALUES.info);
    const line = chunk.endsWith('\n') ? chunk.slice(0, -1) : chunk;
    this.writing = true;
    try {
      for (const monitor of [...this.monitors]) {
        if (level >= monitor.minLevel) monitor.onLine(line);
      }
    } finally {
      this.writing = false;
    }
  }

  subscribe(level: MonitorLevel, onLine: (line: string) => void): { close(): void } | null {
    if (this.monitors.size >= this.maxMonitors) return null;
    const monitor: Monitor = { minLevel: LOG_LEVEL_VALUES[level], onLine };
    this.monitors.add(monitor);
    return { close: () => this.monitors.delete(monitor) };
  }
}
