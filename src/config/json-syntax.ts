/**
 * Where a JSON text stops being JSON, told by position only. JSON.parse's own messages quote
 * the text around the fault ("Unexpected token 'A', ..."{"keys": [AAAA"... is not valid
 * JSON"), and the files read here (keyring, config) hold keys: a near-miss must never reach
 * an error or a log line. This scanner follows RFC 8259 as JSON.parse does, with an explicit
 * stack, so that deep nesting cannot overflow the call stack.
 */

/** "at line L, column C" of the first fault, "ends early at …" when the text is cut short. */
export function jsonSyntaxProblem(text: string): string {
  const offset = jsonErrorOffset(text);
  const at = offset === -1 ? text.length : offset;
  const { line, column } = lineAndColumn(text, at);
  const where = `line ${line}, column ${column} (character ${at})`;
  return at >= text.length ? `ends early, at ${where}` : `syntax error at ${where}`;
}

/** Offset of the first character that makes `text` invalid JSON (its length when it ends early); -1 when valid. */
export function jsonErrorOffset(text: string): number {
  const stack: ('{' | '[')[] = [];
  let i = skipSpace(text, 0);
  for (;;) {
    // A value is expected at i.
    const c = text[i];
    if (c === '{' || c === '[') {
      stack.push(c);
      i = skipSpace(text, i + 1);
      const close = c === '{' ? '}' : ']';
      if (text[i] === close) {
        stack.pop();
        i++;
      } else {
        if (c === '{') {
          i = member(text, i);
          if (i < 0) return -i - 1;
        }
        continue;
      }
    } else if (c === '"') {
      i = scanString(text, i);
      if (i < 0) return -i - 1;
    } else {
      const end = scanScalar(text, i);
      if (end === i) return i;
      i = end;
    }
    // After a value: a separator, a closing bracket, or the end.
    for (;;) {
      i = skipSpace(text, i);
      const top = stack[stack.length - 1];
      if (top === undefined) return i === text.length ? -1 : i;
      if (text[i] === ',') {
        i = skipSpace(text, i + 1);
        if (top === '{') {
          i = member(text, i);
          if (i < 0) return -i - 1;
        }
        break;
      }
      if (text[i] === (top === '{' ? '}' : ']')) {
        stack.pop();
        i++;
        continue;
      }
      return i;
    }
  }
}

/** Reads `"name" :` of an object member and the space after; returns where its value starts, or -(offset of the fault)-1. */
function member(text: string, start: number): number {
  if (text[start] !== '"') return -start - 1;
  let i = scanString(text, start);
  if (i < 0) return i;
  i = skipSpace(text, i);
  if (text[i] !== ':') return -i - 1;
  return skipSpace(text, i + 1);
}

function skipSpace(text: string, start: number): number {
  let i = start;
  while (i < text.length && (text[i] === ' ' || text[i] === '\t' || text[i] === '\n' || text[i] === '\r')) i++;
  return i;
}

const ESCAPES = new Set(['"', '\\', '/', 'b', 'f', 'n', 'r', 't']);
const HEX = /^[0-9a-fA-F]{4}$/;

/** From the opening quote at `start`: the offset after the closing one, or -(offset of the fault)-1. */
function scanString(text: string, start: number): number {
  let i = start + 1;
  while (i < text.length) {
    const code = text.charCodeAt(i);
    if (code === 0x22) return i + 1;
    if (code < 0x20) return -i - 1;
    if (code === 0x5c) {
      const next = text[i + 1];
      if (next === 'u') {
        if (!HEX.test(text.slice(i + 2, i + 6))) return -(i + 1) - 1;
        i += 6;
        continue;
      }
      if (next === undefined || !ESCAPES.has(next)) return -(i + 1) - 1;
      i += 2;
      continue;
    }
    i++;
  }
  return -text.length - 1;
}

const NUMBER = /-?(?:0|[1-9][0-9]*)(?:\.[0-9]+)?(?:[eE][+-]?[0-9]+)?/y;

/** A number, true, false or null at `start`: the offset after it, or `start` when there is none. */
function scanScalar(text: string, start: number): number {
  for (const literal of ['true', 'false', 'null']) {
    if (text.startsWith(literal, start)) return start + literal.length;
  }
  NUMBER.lastIndex = start;
  return NUMBER.test(text) ? NUMBER.lastIndex : start;
}

function lineAndColumn(text: string, offset: number): { readonly line: number; readonly column: number } {
  let line = 1;
  let lineStart = 0;
  for (let i = 0; i < offset && i < text.length; i++) {
    if (text[i] === '\n') {
      line++;
      lineStart = i + 1;
    }
  }
  return { line, column: offset - lineStart + 1 };
}

/** A plausible setting name: short, one word. Anything else in a name slot may be a misplaced secret. */
const PLAIN_NAME = /^[A-Za-z_][A-Za-z0-9_.-]{0,31}$/;

/**
 * A property name of a file that holds secrets, fit for an error message: quoted when it
 * looks like a setting name, else only its length (a key pasted where a name goes).
 */
export function showPropertyName(name: string): string {
  return PLAIN_NAME.test(name) ? JSON.stringify(name) : `(a name of ${name.length} characters, not shown: it may be a secret)`;
}

/** What kind of JSON value a document is, for "must hold an object, not …": never its content. */
export function jsonKind(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  return typeof value === 'object' ? 'an object' : `a ${typeof value}`;
}
