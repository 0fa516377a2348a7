// Small geometry helpers.

/** The bounding box of GeoJSON coordinates, any nesting. */
export function bboxOf(coords: unknown): [number, number, number, number] | null {
  let b: [number, number, number, number] | null = null;
  const walk = (c: unknown): void => {
    if (!Array.isArray(c)) return;
    if (typeof c[0] === 'number' && typeof c[1] === 'number') {
      const [x, y] = c as [number, number];
      b = b ? [Math.min(b[0], x), Math.min(b[1], y), Math.max(b[2], x), Math.max(b[3], y)] : [x, y, x, y];
      return;
    }
    for (const d of c) walk(d);
  };
  walk(coords);
  return b;
}
