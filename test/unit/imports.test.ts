import { describe, expect, it } from 'vitest';
import { findCycles, importGraph } from '../source-imports.js';

// Every file under src/ imports only files "below" it: no import cycles, type-only imports
// included. A cycle means two files are one concept split badly, or a shared type lives in
// the wrong one of them; the fix is a third file both import.
describe('import graph of src/', () => {
  it('has no cycles', () => {
    const graph = importGraph('src');
    expect(graph.edges.size).toBeGreaterThan(50);
    expect([...graph.edges.values()].flat().length).toBeGreaterThan(100);
    expect(graph.unresolved).toEqual([]);
    expect(findCycles(graph.edges).map((cycle) => cycle.join(' -> '))).toEqual([]);
  });
});

describe('findCycles', () => {
  const cases: Array<[string, Record<string, string[]>, string[][]]> = [
    ['a chain', { a: ['b'], b: ['c'], c: [] }, []],
    ['a diamond', { a: ['b', 'c'], b: ['d'], c: ['d'], d: [] }, []],
    ['two files importing each other', { a: ['b'], b: ['a'] }, [['a', 'b', 'a']]],
    ['a file importing itself', { a: ['a'], b: ['a'] }, [['a', 'a']]],
    ['a long loop, reported shortest', { a: ['b', 'x'], b: ['c'], c: ['a'], x: ['y'], y: ['z'], z: ['a'] }, [['a', 'b', 'c', 'a']]],
    ['two separate loops', { a: ['b'], b: ['a'], c: ['d'], d: ['e'], e: ['c'], f: ['a', 'c'] }, [['a', 'b', 'a'], ['c', 'd', 'e', 'c']]],
  ];
  it.each(cases)('%s', (_name, graph, cycles) => {
    expect(findCycles(new Map(Object.entries(graph)))).toEqual(cycles);
  });
});
