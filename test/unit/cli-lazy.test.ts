import { readFileSync } from 'node:fs';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';
import { commandWord } from '../../src/cli/main.js';
import { isRelative, resolveRelative } from '../source-imports.js';

// A client command (`gossipd members`) must start in little more than Node's own start-up
// time, so it may load only what it needs: no agent, logger, codec, crypto or simulator.
// Checked on what Node loads before any code runs: the static imports left once TypeScript
// has dropped the type-only ones (import() calls load on use and are not followed).

interface Closure {
  readonly files: readonly string[];
  readonly packages: readonly string[];
}

const specifiersByFile = new Map<string, readonly string[]>();

/** The static import specifiers of a file as compiled: type-only imports are gone. */
function runtimeSpecifiers(file: string): readonly string[] {
  const known = specifiersByFile.get(file);
  if (known !== undefined) return known;
  const output = ts.transpileModule(readFileSync(file, 'utf8'), {
    compilerOptions: { module: ts.ModuleKind.ESNext, target: ts.ScriptTarget.ES2022 },
    fileName: file,
  }).outputText;
  const source = ts.createSourceFile(`${file}.js`, output, ts.ScriptTarget.Latest, false, ts.ScriptKind.JS);
  const specifiers = source.statements.flatMap((statement) =>
    (ts.isImportDeclaration(statement) || ts.isExportDeclaration(statement)) &&
    statement.moduleSpecifier !== undefined &&
    ts.isStringLiteral(statement.moduleSpecifier)
      ? [statement.moduleSpecifier.text]
      : [],
  );
  specifiersByFile.set(file, specifiers);
  return specifiers;
}

/** Every file and package loaded when `entry` is imported, before any of its code runs. */
function staticClosure(entry: string): Closure {
  const files = new Set<string>();
  const packages = new Set<string>();
  const visit = (file: string): void => {
    if (files.has(file)) return;
    files.add(file);
    for (const specifier of runtimeSpecifiers(file)) {
      if (!isRelative(specifier)) {
        packages.add(specifier);
        continue;
      }
      const target = resolveRelative(file, specifier);
      if (target === null) throw new Error(`${file}: cannot resolve ${specifier}`);
      visit(target);
    }
  };
  visit(entry);
  return { files: [...files].sort(), packages: [...packages].sort() };
}

/** What no client command may load up front: the daemon and everything only it or the simulator needs. */
const HEAVY_FILES = /^src\/(agent|sim|plan|crypto|transport|metrics)\/|^src\/http\/(?!limits\.ts$)|^src\/codec\/(codec|index)\.ts$|^src\/config(\.ts|\/keys\.ts|\/resolve\.ts)$/;
const HEAVY_PACKAGES = ['pino', 'msgpackr', 'node:crypto', 'node:dgram', 'node:child_process'];

describe('what the CLI loads', () => {
  it('before choosing a command: commander and the CLI frame only', () => {
    const closure = staticClosure('src/cli/main.ts');
    expect(closure.files.filter((file) => !file.startsWith('src/cli/') && file !== 'src/config/parsed.ts')).toEqual([]);
    expect(closure.files).not.toContain('src/cli/agent.ts');
    expect(closure.files).not.toContain('src/cli/members.ts');
    expect(closure.packages.filter((name) => !['commander', 'node:fs', 'node:os'].includes(name))).toEqual([]);
  });

  it.each(['members', 'join', 'leave', 'keys', 'tags', 'watch', 'event', 'query', 'force-leave', 'info', 'monitor'])('for `gossipd %s`: no agent, logger, codec, crypto or simulator', (command) => {
    const closure = staticClosure(`src/cli/${command}.ts`);
    expect(closure.files.filter((file) => HEAVY_FILES.test(file))).toEqual([]);
    expect(closure.packages.filter((name) => HEAVY_PACKAGES.includes(name))).toEqual([]);
  });

  it('for `gossipd agent`: not the simulator nor the planner, and the agent itself only on use', () => {
    const closure = staticClosure('src/cli/agent.ts');
    expect(closure.files.filter((file) => /^src\/(sim|plan)\//.test(file) || file === 'src/agent/agent.ts')).toEqual([]);
    expect(closure.packages).not.toContain('pino');
  });

  it('the closure follows re-exports and drops type-only imports', () => {
    // src/index.ts re-exports the agent; src/cli/io.ts names the agent's types only.
    expect(staticClosure('src/index.ts').files).toContain('src/agent/agent.ts');
    expect(staticClosure('src/cli/io.ts').files).toEqual(['src/cli/io.ts']);
  });
});

describe('commandWord', () => {
  it.each([
    [['node', 'gossipd', 'members', '--http', 'x:1'], 'members'],
    [['node', 'gossipd', '--help', 'members'], undefined],
    [['node', 'gossipd', '-V'], undefined],
    [['node', 'gossipd'], undefined],
    [['node', 'gossipd', 'help', 'agent'], 'help'],
  ])('%j -> %s', (argv, word) => {
    expect(commandWord(argv)).toBe(word);
  });
});
