import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import ts from 'typescript';

/** Every .ts file under `dir`, as a path joined onto it (e.g. "src/http/json.ts"), sorted. */
export function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true })
    .flatMap((entry) =>
      entry.isDirectory() ? sourceFiles(join(dir, entry.name)) : entry.name.endsWith('.ts') ? [join(dir, entry.name)] : [],
    )
    .sort();
}

/**
 * The module specifiers a file names, as written: import and export-from declarations
 * (`import type` and `export type` too, and bare `import './x.js'`), `import x = require()`,
 * import() calls and `import('x').T` types. Parsed with the TypeScript compiler, so comments
 * and strings that merely look like imports do not count.
 */
export function moduleSpecifiers(file: string): string[] {
  const source = ts.createSourceFile(file, readFileSync(file, 'utf8'), ts.ScriptTarget.Latest, false, ts.ScriptKind.TS);
  const specifiers: string[] = [];
  const visit = (node: ts.Node): void => {
    const specifier = specifierOf(node);
    if (specifier !== undefined) specifiers.push(specifier);
    ts.forEachChild(node, visit);
  };
  visit(source);
  return specifiers;
}

function specifierOf(node: ts.Node): string | undefined {
  if (ts.isImportDeclaration(node) || ts.isExportDeclaration(node)) {
    return node.moduleSpecifier !== undefined && ts.isStringLiteral(node.moduleSpecifier) ? node.moduleSpecifier.text : undefined;
  }
  if (ts.isImportEqualsDeclaration(node) && ts.isExternalModuleReference(node.moduleReference)) {
    const expression = node.moduleReference.expression;
    return ts.isStringLiteral(expression) ? expression.text : undefined;
  }
  if (ts.isCallExpression(node) && node.expression.kind === ts.SyntaxKind.ImportKeyword) {
    const argument = node.arguments[0];
    return argument !== undefined && ts.isStringLiteral(argument) ? argument.text : undefined;
  }
  if (ts.isImportTypeNode(node) && ts.isLiteralTypeNode(node.argument) && ts.isStringLiteral(node.argument.literal)) {
    return node.argument.literal.text;
  }
  return undefined;
}

export function isRelative(specifier: string): boolean {
  return specifier.startsWith('./') || specifier.startsWith('../');
}

/**
 * The .ts file a relative specifier of `from` names ("./json.js" -> "src/http/json.ts",
 * "./dir" -> "src/http/dir/index.ts"), or null when no such file exists.
 */
export function resolveRelative(from: string, specifier: string): string | null {
  const target = join(dirname(from), specifier);
  const candidates = [target.replace(/\.js$/, '.ts'), target, join(target, 'index.ts')];
  return candidates.find((candidate) => candidate.endsWith('.ts') && existsSync(candidate)) ?? null;
}

export interface ImportGraph {
  /** Each file under the root, with the files it imports by relative path. */
  readonly edges: ReadonlyMap<string, readonly string[]>;
  /** Relative imports that name no .ts file, as "file: specifier". */
  readonly unresolved: readonly string[];
}

/** The graph of relative imports between the .ts files under `root`. */
export function importGraph(root: string): ImportGraph {
  const edges = new Map<string, string[]>();
  const unresolved: string[] = [];
  for (const file of sourceFiles(root)) {
    const targets: string[] = [];
    for (const specifier of moduleSpecifiers(file).filter(isRelative)) {
      const target = resolveRelative(file, specifier);
      if (target === null) unresolved.push(`${file}: ${specifier}`);
      else if (!targets.includes(target)) targets.push(target);
    }
    edges.set(file, targets);
  }
  return { edges, unresolved };
}

/**
 * One cycle per strongly connected component of the graph (Tarjan), each the shortest one
 * through the component's first file in sort order, written [a, b, …, a]. Empty when the
 * graph is acyclic.
 */
export function findCycles(edges: ReadonlyMap<string, readonly string[]>): string[][] {
  const index = new Map<string, number>();
  const lowLink = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const components: string[][] = [];
  const connect = (node: string): void => {
    index.set(node, index.size);
    lowLink.set(node, index.get(node) ?? 0);
    stack.push(node);
    onStack.add(node);
    for (const next of edges.get(node) ?? []) {
      if (!index.has(next)) {
        connect(next);
        lowLink.set(node, Math.min(lowLink.get(node) ?? 0, lowLink.get(next) ?? 0));
      } else if (onStack.has(next)) {
        lowLink.set(node, Math.min(lowLink.get(node) ?? 0, index.get(next) ?? 0));
      }
    }
    if (lowLink.get(node) !== index.get(node)) return;
    const component: string[] = [];
    let member: string | undefined;
    do {
      member = stack.pop();
      if (member === undefined) break;
      onStack.delete(member);
      component.push(member);
    } while (member !== node);
    components.push(component);
  };
  for (const node of [...edges.keys()].sort()) {
    if (!index.has(node)) connect(node);
  }
  return components
    .filter(([first, ...rest]) => first !== undefined && (rest.length > 0 || (edges.get(first) ?? []).includes(first)))
    .map((component) => shortestCycle(edges, new Set(component)))
    .sort((a, b) => (a[0] ?? '').localeCompare(b[0] ?? ''));
}

/** Breadth-first from the first file of the component back to itself, inside the component. */
function shortestCycle(edges: ReadonlyMap<string, readonly string[]>, component: ReadonlySet<string>): string[] {
  const start = [...component].sort()[0] ?? '';
  const cameFrom = new Map<string, string>();
  const queue = [start];
  for (let at = 0; at < queue.length; at += 1) {
    const node = queue[at] ?? '';
    for (const next of edges.get(node) ?? []) {
      if (!component.has(next)) continue;
      if (next === start) {
        const path = [node];
        for (let step = node; step !== start; ) {
          step = cameFrom.get(step) ?? start;
          path.unshift(step);
        }
        return [...path, start];
      }
      if (!cameFrom.has(next)) {
        cameFrom.set(next, node);
        queue.push(next);
      }
    }
  }
  return [start];
}
