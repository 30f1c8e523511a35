import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { AgentApi } from '../../src/agent/api.js';
import type { HttpRequest } from '../../src/http/route.js';
import { dispatch, ROUTES } from '../../src/http/routes.js';
import { encodeReply, type WholeResponse } from '../../src/http/send.js';
import { UI_CONTENT_SECURITY_POLICY, UI_FILES } from '../../src/http/ui-route.js';

// GET /ui and its files: what they are served with, that the page loads nothing from outside
// and runs no inline code (the CSP would block it), and that it can only read.

const UI_DIR = 'src/http/ui';

/** The UI routes never call the agent; anything they did call would throw. */
const NO_API = new Proxy({} as AgentApi, {
  get: (_target, key) => {
    throw new Error(`the /ui routes used api.${String(key)}`);
  },
});

function request(method: string, target: string, authorization?: string): HttpRequest {
  return {
    method,
    target,
    origin: undefined,
    authorization,
    readBody: () => Promise.resolve({ ok: true, value: Buffer.alloc(0) }),
  };
}

async function get(target: string, token: string | null = null): Promise<WholeResponse> {
  const outgoing = encodeReply(await dispatch(NO_API, request('GET', target), { token }));
  if (outgoing.kind !== 'whole') throw new Error('a /ui file came back as a stream');
  return outgoing;
}

function source(name: string): string {
  return readFileSync(`${UI_DIR}/${name}`, 'utf8');
}

describe('GET /ui', () => {
  it('serves the page with a strict Content-Security-Policy and nosniff', async () => {
    const page = await get('/ui');
    expect(page.status).toBe(200);
    expect(page.contentType).toBe('text/html; charset=utf-8');
    expect(page.bytes.toString('utf8')).toBe(source('index.html'));
    const csp = page.headers['Content-Security-Policy'] ?? '';
    expect(csp).toBe(UI_CONTENT_SECURITY_POLICY);
    const directives = new Map(csp.split('; ').map((d) => [d.split(' ')[0], d.split(' ').slice(1).join(' ')]));
    expect(directives.get('default-src')).toBe("'none'");
    for (const name of ['script-src', 'style-src', 'connect-src']) expect(directives.get(name)).toBe("'self'");
    expect(directives.get('frame-ancestors')).toBe("'none'");
    expect(csp).not.toMatch(/unsafe-|data:|\*/);
    expect(page.headers['X-Content-Type-Options']).toBe('nosniff');
    expect(page.headers['Cross-Origin-Resource-Policy']).toBe('same-origin');
  });

  it.each(Object.entries(UI_FILES).filter(([name]) => name !== 'index.html'))('serves /ui/%s as %s with the same headers', async (name, type) => {
    const file = await get(`/ui/${name}`);
    expect(file.status).toBe(200);
    expect(file.contentType).toBe(type);
    expect(file.bytes.toString('utf8')).toBe(source(name));
    expect(file.headers['Content-Security-Policy']).toBe(UI_CONTENT_SECURITY_POLICY);
    expect(file.headers['X-Content-Type-Options']).toBe('nosniff');
  });

  it('answers 404 for any other file, the page under its file name, and paths that climb out', async () => {
    for (const target of ['/ui/nope.js', '/ui/index.html', '/ui/..%2Fui-route.ts', '/ui/projection.d.ts', '/ui/%2e%2e']) {
      const reply = await get(target);
      expect(reply.status, target).toBe(404);
      expect(JSON.parse(reply.bytes.toString('utf8'))).toHaveProperty('error');
    }
  });

  it('answers 405 to anything but GET and HEAD', async () => {
    for (const method of ['POST', 'PUT']) {
      const reply = await dispatch(NO_API, request(method, '/ui'));
      expect(reply.status).toBe(405);
      expect(reply).toMatchObject({ headers: { Allow: 'GET, HEAD' } });
    }
  });

  it('needs no token even when the agent has one', async () => {
    const page = await get('/ui', 'a-token-of-sixteen-chars');
    expect(page.status).toBe(200);
    expect((await get('/ui/app.js', 'a-token-of-sixteen-chars')).status).toBe(200);
  });
});

describe('the /ui files', () => {
  const html = source('index.html');

  it('reference only files that /ui serves', () => {
    const references = [...html.matchAll(/\b(?:src|href)="([^"]*)"/g)].map((m) => m[1]);
    expect(references.sort()).toEqual(['/ui/app.js', '/ui/ui.css']);
    for (const name of Object.keys(UI_FILES).filter((n) => n.endsWith('.js'))) {
      for (const [, imported] of source(name).matchAll(/^import .* from '\.\/([^']+)';$/gm)) {
        expect(Object.keys(UI_FILES), `${name} imports ${imported}`).toContain(imported);
      }
    }
  });

  it('hold no inline script, style or event handler, which the policy would block', () => {
    expect([...html.matchAll(/<script\b[^>]*>/g)].every((m) => /\bsrc="/.test(m[0]))).toBe(true);
    expect(html).not.toMatch(/<style\b|\sstyle=|\son[a-z]+=|javascript:/i);
    for (const name of Object.keys(UI_FILES)) {
      const text = source(name);
      expect(text, name).not.toMatch(/https?:\/\/|\beval\(|new Function\(|innerHTML|setAttribute\('style'/);
    }
  });

  it('only read: GETs of endpoints that need no token, never a token, never another method', () => {
    const app = source('app.js');
    // Every path the page names, in a string or a template (fetch arguments included).
    const paths = [...app.matchAll(/[`'"](\/(?:v1\/[a-z/]+|metrics))/g)].map((m) => m[1]);
    expect(new Set(paths)).toEqual(new Set(['/v1/members', '/v1/events', '/v1/self', '/metrics', '/v1/coordinates']));
    for (const path of paths) {
      const route = ROUTES.find((r) => r.path === path && r.method === 'GET');
      // Only /v1/coordinates may be missing (404 hides the map); once there, it is checked too.
      if (path !== '/v1/coordinates') expect(route, path).toBeDefined();
      if (route !== undefined) expect(route.needsToken, path).toBe(false);
    }
    expect(app).not.toMatch(/method:|Authorization|XMLHttpRequest|sendBeacon|WebSocket/);
  });
});
