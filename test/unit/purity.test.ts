import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { isRelative, moduleSpecifiers, sourceFiles } from '../source-imports.js';

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

/**
 * What each pure folder may import besides its own files (folders, or single files that import
 * nothing themselves): nothing for the protocol; the protocol's message types, the Result shape
 * (src/result.ts) and msgpackr for the codec. No node:* module, no other package.
 */
const MAY_IMPORT: Readonly<Record<string, { readonly dirs: readonly string[]; readonly packages: readonly string[] }>> = {
  'src/protocol': { dirs: [], packages: [] },
  'src/codec': { dirs: ['src/protocol', 'src/result.ts'], packages: ['msgpackr'] },
};

function isInside(path: string, dir: string): boolean {
  return path === dir || path.startsWith(`${dir}/`);
}

/** Why `file` (in the pure folder `dir`) may not import `specifier`, or null when it may. */
function importProblem(dir: string, file: string, specifier: string): string | null {
  const allowed = MAY_IMPORT[dir] ?? { dirs: [], packages: [] };
  if (isRelative(specifier)) {
    const dirs = [dir, ...allowed.dirs];
    // Specifiers name the compiled .js; the allow-list names sources.
    const target = join(dirname(file), specifier).replace(/\.js$/, '.ts');
    return dirs.some((inside) => isInside(target, inside)) ? null : `${file} imports ${specifier}, outside ${dirs.join(' and ')}`;
  }
  if (allowed.packages.some((name) => specifier === name || specifier.startsWith(`${name}/`))) return null;
  const packages = allowed.packages.length === 0 ? 'no package' : `no package but ${allowed.packages.join(', ')}`;
  return `${file} imports ${specifier}: ${dir} may import ${packages} and no node: module`;
}

describe('pure core', () => {
  it('src/result.ts, which the codec may import, imports nothing', () => {
    expect(moduleSpecifiers('src/result.ts')).toEqual([]);
  });

  for (const dir of PURE_DIRS) {
    it(`${dir} touches no sockets, clocks, timers or ambient randomness`, () => {
      const files = sourceFiles(dir);
      expect(files.length).toBeGreaterThan(0);
      const problems = files.flatMap((file) => {
        const text = readFileSync(file, 'utf8');
        return FORBIDDEN.filter(([pattern]) => pattern.test(text)).map(([, what]) => `${file} ${what}`);
      });
      expect(problems).toEqual([]);
    });

    it(`${dir} imports nothing outside what it may`, () => {
      const files = sourceFiles(dir);
      expect(files.length).toBeGreaterThan(0);
      const problems = files.flatMap((file) =>
        moduleSpecifiers(file).flatMap((specifier) => importProblem(dir, file, specifier) ?? []),
      );
      expect(problems).toEqual([]);
    });
  }
});
