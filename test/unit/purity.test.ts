import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

// The protocol core and the codec must stay free of I/O, wall clocks and ambient randomness:
// that is what makes the simulator deterministic and lets many agents share a process.
const PURE_DIRS = ['src/protocol', 'src/codec'];
const FORBIDDEN: Array<[RegExp, string]> = [
  [/from\s+['"]node:/, 'imports node:*'],
  [/require\(/, 'uses require()'],
  [/\bDate\.now\b/, 'reads Date.now'],
  [/new Date\(/, 'constructs a Date'],
  [/\bMath\.random\b/, 'reads Math.random'],
  [/\bperformance\.now\b/, 'reads performance.now'],
  [/\bset(Timeout|Interval|Immediate)\b/, 'uses timers'],
  [/\bprocess\./, 'touches process'],
];

function filesIn(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) =>
    entry.isDirectory() ? filesIn(join(dir, entry.name)) : entry.name.endsWith('.ts') ? [join(dir, entry.name)] : [],
  );
}

describe('pure core', () => {
  for (const dir of PURE_DIRS) {
    it(`${dir} touches no sockets, clocks, timers or ambient randomness`, () => {
      const files = filesIn(dir);
      expect(files.length).toBeGreaterThan(0);
      const problems = files.flatMap((file) => {
        const text = readFileSync(file, 'utf8');
        return FORBIDDEN.filter(([pattern]) => pattern.test(text)).map(([, what]) => `${file} ${what}`);
      });
      expect(problems).toEqual([]);
    });
  }
});
