// Network coordinates for the map and the RTT column of /ui. Plain browser JavaScript (no
// build step), also imported by test/unit/ui-projection.test.ts; types in projection.d.ts.
//
// The coordinates are Vivaldi's (as in Serf): a Euclidean vector plus a height (the access
// link, added to every distance) and an adjustment, all in seconds. The map shows the vectors
// projected onto their two principal axes: a plane through the cloud of points that keeps as
// much of its spread as a plane can, so members close on the network stay close on the map.
// Heights are left out of the map: they add the same to every distance from a member, which a
// plane cannot draw.

/** Iterations of the power method per axis; 8-D covariances converge long before. */
const POWER_ITERATIONS = 200;

/**
 * A round-trip estimate between two coordinates, in seconds (Serf's DistanceTo): the distance
 * between the vectors plus both heights, then plus both adjustments unless that would make it
 * zero or less.
 */
export function estimateRttSeconds(a, b) {
  const dimensions = Math.min(a.vec.length, b.vec.length);
  let sum = 0;
  for (let i = 0; i < dimensions; i++) {
    const d = a.vec[i] - b.vec[i];
    sum += d * d;
  }
  const distance = Math.sqrt(sum) + a.height + b.height;
  const adjusted = distance + a.adjustment + b.adjustment;
  return adjusted > 0 ? adjusted : distance;
}

/**
 * The body of GET /v1/coordinates checked entry by entry; entries of the wrong shape are left
 * out (the map must not draw NaN), and so is any whose vector length differs from the first's.
 */
export function parseCoordinates(body) {
  const out = new Map();
  if (!Array.isArray(body)) return out;
  let dimensions = -1;
  for (const entry of body) {
    if (entry === null || typeof entry !== 'object' || typeof entry.name !== 'string') continue;
    const c = entry.coordinate;
    if (c === null || typeof c !== 'object' || !Array.isArray(c.vec) || c.vec.length === 0) continue;
    if (!c.vec.every(Number.isFinite) || ![c.height, c.adjustment, c.error].every(Number.isFinite)) continue;
    if (dimensions === -1) dimensions = c.vec.length;
    if (c.vec.length !== dimensions) continue;
    out.set(entry.name, { vec: c.vec.slice(), height: c.height, adjustment: c.adjustment, error: c.error });
  }
  return out;
}

/**
 * Each named vector projected onto the two principal axes of the set, in the vectors' unit,
 * centred on their mean. Deterministic: the same input gives the same picture (each axis is
 * oriented so that its largest component is positive). Fewer than two distinct points, or a
 * set that spans only a line, give zeros on the missing axes.
 */
export function projectCoordinates(named) {
  const n = named.length;
  if (n === 0) return [];
  const dimensions = named[0].vec.length;
  const mean = new Array(dimensions).fill(0);
  for (const { vec } of named) for (let i = 0; i < dimensions; i++) mean[i] += vec[i] / n;
  const centred = named.map(({ vec }) => vec.map((v, i) => v - mean[i]));
  const covariance = covarianceOf(centred, dimensions);
  const first = principalAxis(covariance, dimensions);
  deflate(covariance, first.vector, first.value);
  const second = principalAxis(covariance, dimensions);
  return named.map(({ name }, k) => ({
    name,
    x: first.value > 0 ? dot(centred[k], first.vector) : 0,
    y: second.value > 0 ? dot(centred[k], second.vector) : 0,
  }));
}

/**
 * Screen positions for projected points in a width × height box with `padding` on every side,
 * with ONE scale for both axes (a map that stretched one axis would lie about distances).
 */
export function fitToBox(points, width, height, padding) {
  if (points.length === 0) return [];
  let minX = Infinity;
  let maxX = -Infinity;
  let minY = Infinity;
  let maxY = -Infinity;
  for (const p of points) {
    minX = Math.min(minX, p.x);
    maxX = Math.max(maxX, p.x);
    minY = Math.min(minY, p.y);
    maxY = Math.max(maxY, p.y);
  }
  const spanX = maxX - minX;
  const spanY = maxY - minY;
  const innerWidth = Math.max(0, width - 2 * padding);
  const innerHeight = Math.max(0, height - 2 * padding);
  const scaleX = spanX > 0 ? innerWidth / spanX : Infinity;
  const scaleY = spanY > 0 ? innerHeight / spanY : Infinity;
  const finite = Math.min(scaleX, scaleY);
  const scale = Number.isFinite(finite) ? finite : 0;
  const centreX = (minX + maxX) / 2;
  const centreY = (minY + maxY) / 2;
  return points.map((p) => ({
    name: p.name,
    // Screen y grows downwards; flipping it keeps the picture as the axes define it.
    x: width / 2 + (p.x - centreX) * scale,
    y: height / 2 - (p.y - centreY) * scale,
  }));
}

function covarianceOf(centred, dimensions) {
  const c = Array.from({ length: dimensions }, () => new Array(dimensions).fill(0));
  for (const v of centred) {
    for (let i = 0; i < dimensions; i++) {
      const vi = v[i];
      if (vi === 0) continue;
      for (let j = i; j < dimensions; j++) c[i][j] += vi * v[j];
    }
  }
  for (let i = 0; i < dimensions; i++) for (let j = 0; j < i; j++) c[i][j] = c[j][i];
  return c;
}

/** The dominant eigenvector of a symmetric positive semi-definite matrix, and its eigenvalue. */
function principalAxis(matrix, dimensions) {
  // Starting from every basis vector in turn would be slower; a vector with all components
  // non-zero and unequal is not orthogonal to the dominant axis except by coincidence, and the
  // second start covers that coincidence.
  let best = { vector: new Array(dimensions).fill(0), value: 0 };
  for (const start of [(i) => 1 + i / dimensions, (i) => (i % 2 === 0 ? 1 : -1) / (1 + i)]) {
    let v = normalised(Array.from({ length: dimensions }, (_, i) => start(i)));
    let value = 0;
    for (let k = 0; k < POWER_ITERATIONS && v !== null; k++) {
      const w = multiply(matrix, v);
      value = dot(v, w);
      v = normalised(w);
    }
    if (v !== null && value > best.value) best = { vector: oriented(v), value };
  }
  // Rounding leaves tiny positive values on a deflated, degenerate matrix.
  const scale = Math.max(1e-300, ...matrix.map((row) => Math.max(...row.map(Math.abs))));
  return best.value > scale * 1e-9 ? best : { vector: best.vector, value: 0 };
}

function deflate(matrix, vector, value) {
  for (let i = 0; i < vector.length; i++) for (let j = 0; j < vector.length; j++) matrix[i][j] -= value * vector[i] * vector[j];
}

function multiply(matrix, v) {
  return matrix.map((row) => dot(row, v));
}

function dot(a, b) {
  let sum = 0;
  for (let i = 0; i < a.length; i++) sum += a[i] * b[i];
  return sum;
}

function normalised(v) {
  const length = Math.sqrt(dot(v, v));
  return length > 0 && Number.isFinite(length) ? v.map((x) => x / length) : null;
}

/** The sign of an eigenvector is arbitrary; fixing it keeps the map from flipping between polls. */
function oriented(v) {
  let largest = 0;
  for (let i = 1; i < v.length; i++) if (Math.abs(v[i]) > Math.abs(v[largest])) largest = i;
  return v[largest] < 0 ? v.map((x) => -x) : v;
}
