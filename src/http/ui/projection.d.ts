// Types of projection.js (plain browser JavaScript served by GET /ui, imported by the tests).

/** One entry of GET /v1/coordinates: Vivaldi coordinates, in seconds. */
export interface Coordinate {
  readonly vec: readonly number[];
  readonly height: number;
  readonly adjustment: number;
  readonly error: number;
}

export interface NamedVector {
  readonly name: string;
  readonly vec: readonly number[];
}

export interface Point {
  readonly name: string;
  readonly x: number;
  readonly y: number;
}

export function estimateRttSeconds(a: Coordinate, b: Coordinate): number;
export function parseCoordinates(body: unknown): Map<string, Coordinate>;
export function projectCoordinates(named: readonly NamedVector[]): Point[];
export function fitToBox(points: readonly Point[], width: number, height: number, padding: number): Point[];
