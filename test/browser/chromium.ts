import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Readable, Writable } from 'node:stream';

// Headless chromium driven through the DevTools protocol over --remote-debugging-pipe: the
// browser reads JSON commands from fd 3 and writes replies and events to fd 4, each message
// ended by a NUL byte. No WebSocket, no port, nothing to install beyond the browser.

/**
 * The browser to use: $CHROMIUM when set (null if no such file), else the first of the usual
 * names on PATH; null if none.
 */
export function findChromium(): string | null {
  const fromEnv = process.env['CHROMIUM'];
  if (fromEnv !== undefined && fromEnv !== '') return existsSync(fromEnv) ? fromEnv : null;
  for (const name of ['chromium', 'chromium-browser', 'google-chrome']) {
    const found = spawnSync('sh', ['-c', `command -v ${name}`], { encoding: 'utf8' });
    if (found.status === 0 && found.stdout.trim() !== '') return found.stdout.trim();
  }
  return null;
}


export interface DevToolsEvent {
  readonly method: string;
  readonly params: Record<string, unknown>;
  readonly sessionId?: string;
}

interface Pending {
  resolve(result: Record<string, unknown>): void;
  reject(error: Error): void;
}

export interface ChromiumOptions {
  readonly width?: number;
  readonly height?: number;
}

export class Chromium {
  private nextId = 1;
  private readonly pending = new Map<number, Pending>();
  private readonly listeners = new Set<(event: DevToolsEvent) => void>();
  private buffer = Buffer.alloc(0);
  readonly exited: Promise<void>;
  private stderr = '';

  private constructor(
    private readonly child: ChildProcess,
    private readonly userDataDir: string,
  ) {
    const output = child.stdio[4] as Readable;
    output.on('data', (chunk: Buffer) => this.receive(chunk));
    child.stderr?.on('data', (chunk: Buffer) => {
      // Kept for error messages only; bounded.
      this.stderr = (this.stderr + chunk.toString()).slice(-4000);
    });
    this.exited = new Promise((resolve) => {
      // Could not start at all (no such file, not executable): as if it had exited at once.
      child.once('error', (error) => {
        this.stderr += String(error);
        child.emit('exit', null, null);
      });
      child.once('exit', () => {
        for (const { reject } of this.pending.values()) reject(new Error(`chromium exited: ${this.stderr}`));
        this.pending.clear();
        resolve();
      });
    });
  }

  static launch(executable: string, options: ChromiumOptions = {}): Chromium {
    const userDataDir = mkdtempSync(join(tmpdir(), 'gossipd-chromium-'));
    const args = [
      '--headless',
      '--remote-debugging-pipe',
      `--user-data-dir=${userDataDir}`,
      '--no-first-run',
      '--no-default-browser-check',
      '--disable-gpu',
      '--disable-dev-shm-usage',
      '--disable-extensions',
      '--disable-background-networking',
      '--disable-sync',
      '--mute-audio',
      `--window-size=${options.width ?? 1280},${options.height ?? 900}`,
      // Chromium's sandbox cannot start as root (CI containers run as root).
      ...(process.getuid?.() === 0 ? ['--no-sandbox'] : []),
      'about:blank',
    ];
    const child = spawn(executable, args, { stdio: ['ignore', 'ignore', 'pipe', 'pipe', 'pipe'] });
    return new Chromium(child, userDataDir);
  }

  /** Sends one command (to a page when `sessionId` is given) and resolves with its result. */
  send(method: string, params: Record<string, unknown> = {}, sessionId?: string): Promise<Record<string, unknown>> {
    const id = this.nextId++;
    const message = JSON.stringify({ id, method, params, ...(sessionId === undefined ? {} : { sessionId }) });
    return new Promise((resolve, reject) => {
      if (this.child.exitCode !== null || this.child.signalCode !== null) {
        reject(new Error(`chromium is not running: ${this.stderr}`));
        return;
      }
      this.pending.set(id, { resolve, reject });
      (this.child.stdio[3] as Writable).write(`${message}\0`);
    });
  }

  onEvent(listener: (event: DevToolsEvent) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Opens a page (a new tab) at about:blank and attaches to it. */
  async newPage(): Promise<Page> {
    const { targetId } = (await this.send('Target.createTarget', { url: 'about:blank' })) as { targetId: string };
    const { sessionId } = (await this.send('Target.attachToTarget', { targetId, flatten: true })) as { sessionId: string };
    const page = new Page(this, targetId, sessionId);
    await page.send('Page.enable');
    await page.send('Runtime.enable');
    await page.send('Log.enable');
    return page;
  }

  /** Closes the browser; kills it if it does not exit within 5 s; removes its profile. Idempotent. */
  async close(): Promise<void> {
    if (this.child.exitCode === null && this.child.signalCode === null) {
      this.send('Browser.close').catch(() => undefined);
      const timer = setTimeout(() => this.child.kill('SIGKILL'), 5_000);
      await this.exited;
      clearTimeout(timer);
    }
    rmSync(this.userDataDir, { recursive: true, force: true });
  }

  /** Kills the browser at once (for a failing test's cleanup). */
  kill(): void {
    if (this.child.exitCode === null && this.child.signalCode === null) this.child.kill('SIGKILL');
  }

  private receive(chunk: Buffer): void {
    this.buffer = Buffer.concat([this.buffer, chunk]);
    let end: number;
    while ((end = this.buffer.indexOf(0)) !== -1) {
      const text = this.buffer.subarray(0, end).toString('utf8');
      this.buffer = this.buffer.subarray(end + 1);
      this.dispatch(JSON.parse(text) as Record<string, unknown>);
    }
  }

  private dispatch(message: Record<string, unknown>): void {
    if (typeof message['id'] === 'number') {
      const waiting = this.pending.get(message['id']);
      if (waiting === undefined) return;
      this.pending.delete(message['id']);
      const error = message['error'] as { message?: string } | undefined;
      if (error !== undefined) waiting.reject(new Error(`DevTools: ${error.message ?? JSON.stringify(error)}`));
      else waiting.resolve((message['result'] ?? {}) as Record<string, unknown>);
      return;
    }
    if (typeof message['method'] === 'string') {
      const event: DevToolsEvent = {
        method: message['method'],
        params: (message['params'] ?? {}) as Record<string, unknown>,
        ...(typeof message['sessionId'] === 'string' ? { sessionId: message['sessionId'] } : {}),
      };
      for (const listener of this.listeners) listener(event);
    }
  }
}

/** One tab: commands go to its session; events from it are collected. */
export class Page {
  /** Exceptions thrown in the page and console/log errors that are not failed network loads. */
  readonly errors: string[] = [];
  private readonly stopListening: () => void;

  constructor(
    private readonly browser: Chromium,
    readonly targetId: string,
    readonly sessionId: string,
  ) {
    this.stopListening = browser.onEvent((event) => {
      if (event.sessionId !== sessionId) return;
      if (event.method === 'Runtime.exceptionThrown') {
        this.errors.push(`exception: ${JSON.stringify(event.params['exceptionDetails'])}`);
      } else if (event.method === 'Log.entryAdded') {
        const entry = event.params['entry'] as { level?: string; source?: string; text?: string; url?: string };
        // A 404 the page expects (/v1/coordinates on an agent without them) is logged as a
        // network error; anything else at error level (a CSP violation, a script error) counts.
        if (entry.level === 'error' && entry.source !== 'network') this.errors.push(`${entry.source ?? '?'}: ${entry.text ?? ''} ${entry.url ?? ''}`);
      }
    });
  }

  send(method: string, params: Record<string, unknown> = {}): Promise<Record<string, unknown>> {
    return this.browser.send(method, params, this.sessionId);
  }

  /** Closes the tab. */
  async close(): Promise<void> {
    this.stopListening();
    await this.browser.send('Target.closeTarget', { targetId: this.targetId });
  }

  async navigate(url: string): Promise<void> {
    const loaded = new Promise<void>((resolve) => {
      const stop = this.browser.onEvent((event) => {
        if (event.sessionId === this.sessionId && event.method === 'Page.loadEventFired') {
          stop();
          resolve();
        }
      });
    });
    const result = (await this.send('Page.navigate', { url })) as { errorText?: string };
    if (result.errorText !== undefined) throw new Error(`navigating to ${url}: ${result.errorText}`);
    await loaded;
  }

  /** Evaluates an expression in the page (awaiting a promise it returns) and returns its JSON value. */
  async evaluate<T>(expression: string): Promise<T> {
    const result = (await this.send('Runtime.evaluate', { expression, returnByValue: true, awaitPromise: true })) as {
      result: { value?: T };
      exceptionDetails?: unknown;
    };
    if (result.exceptionDetails !== undefined) throw new Error(`evaluating ${expression}: ${JSON.stringify(result.exceptionDetails)}`);
    return result.result.value as T;
  }

  /** Polls an expression until it returns true or `timeoutMs` passes; returns the last answer. */
  async waitFor(expression: string, timeoutMs: number): Promise<boolean> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const value = await this.evaluate<boolean>(`Boolean(${expression})`);
      if (value || Date.now() >= deadline) return value;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }

  /** A fixed viewport, so that screenshots and timings do not depend on the window. */
  async setViewport(width: number, height: number): Promise<void> {
    await this.send('Emulation.setDeviceMetricsOverride', { width, height, deviceScaleFactor: 1, mobile: false });
  }

  /** A PNG of the viewport, or of its top `heightPx` pixels. */
  async screenshotPng(heightPx?: number): Promise<Buffer> {
    const clip = heightPx === undefined ? {} : { clip: { x: 0, y: 0, width: await this.evaluate<number>('innerWidth'), height: heightPx, scale: 1 } };
    const { data } = (await this.send('Page.captureScreenshot', { format: 'png', captureBeyondViewport: false, ...clip })) as { data: string };
    return Buffer.from(data, 'base64');
  }
}
