import { readFile } from 'node:fs/promises';
import { errorReply, textReply, type Reply, type ReplyHeaders } from './reply.js';
import type { Route } from './route.js';

/**
 * The files of the page at GET /ui, served from src/http/ui/ (dist/http/ui/ once built: the
 * build copies them). A fixed list: the path never reaches the file system.
 */
export const UI_FILES = {
  'index.html': 'text/html; charset=utf-8',
  'ui.css': 'text/css; charset=utf-8',
  'app.js': 'text/javascript; charset=utf-8',
  'projection.js': 'text/javascript; charset=utf-8',
  'metrics-text.js': 'text/javascript; charset=utf-8',
} as const satisfies Readonly<Record<string, string>>;
type UiFile = keyof typeof UI_FILES;

/**
 * Only this origin's own scripts, styles and connections: no inline script or style, no
 * eval, no other site, no framing, no form submissions. The page needs nothing more.
 */
export const UI_CONTENT_SECURITY_POLICY = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "connect-src 'self'",
  "img-src 'self'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join('; ');

const UI_HEADERS: ReplyHeaders = {
  'Content-Security-Policy': UI_CONTENT_SECURITY_POLICY,
  'X-Content-Type-Options': 'nosniff',
  'X-Frame-Options': 'DENY',
  'Referrer-Policy': 'no-referrer',
  // Other sites may not even load these files into their pages.
  'Cross-Origin-Resource-Policy': 'same-origin',
};

/** GET /ui: the page. Read-only and public, like the GET endpoints it reads (see app.js). */
export const getUiPage: Route['handle'] = () => uiFile('index.html');

/** GET /ui/{file}: the page's scripts and style sheet. */
export const getUiAsset: Route['handle'] = ({ params }) => {
  const name = params['asset'] ?? '';
  if (!isUiFile(name) || name === 'index.html') return errorReply(404, `no file ${JSON.stringify(name)} in /ui`);
  return uiFile(name);
};

function isUiFile(name: string): name is UiFile {
  return Object.hasOwn(UI_FILES, name);
}

async function uiFile(name: UiFile): Promise<Reply> {
  const url = new URL(`./ui/${name}`, import.meta.url);
  let text: string;
  try {
    // Read per request, not cached: the page is opened now and then, and nothing is kept per process.
    text = await readFile(url, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? 'error';
    return errorReply(500, `this installation lacks the /ui file ${url.pathname} (${code}); it is copied there by npm run build`);
  }
  return { ...textReply(UI_FILES[name], text), headers: UI_HEADERS };
}
