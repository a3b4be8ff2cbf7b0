import type { z } from "zod";

/**
 * Keys of a stack config that its schema does not know, at every level. A misspelt key would
 * otherwise be dropped without a word (`bookeis:` beside `bookies:`), so each is reported with
 * the known key it most likely meant.
 */
export interface UnknownKey {
  readonly path: (string | number)[];
  /** The known key nearest to the unknown one, when one is near enough to be a misspelling. */
  readonly suggestion?: string;
}

/** zod's internal definition: the one place that tells which keys an object schema knows. */
interface Def {
  readonly type: string;
  readonly shape?: Record<string, z.ZodType>;
  readonly element?: z.ZodType;
  readonly valueType?: z.ZodType;
  readonly innerType?: z.ZodType;
  readonly in?: z.ZodType;
}

const defOf = (schema: z.ZodType): Def => (schema as unknown as { _zod: { def: Def } })._zod.def;

export function unknownKeys(schema: z.ZodType, value: unknown, path: (string | number)[] = []): UnknownKey[] {
  const def = defOf(schema);
  const inner = def.innerType ?? def.in;
  if (inner) return unknownKeys(inner, value, path);
  if (value === null || typeof value !== "object") return [];
  const entries = Object.entries(value as Record<string, unknown>);
  switch (def.type) {
    case "object": {
      const shape = def.shape ?? {};
      const known = Object.keys(shape);
      return entries.flatMap(([key, v]) =>
        key in shape ? unknownKeys(shape[key], v, [...path, key]) : [{ path: [...path, key], ...nearest(key, known) }],
      );
    }
    case "array":
      return Array.isArray(value) ? value.flatMap((item, i) => unknownKeys(def.element!, item, [...path, i])) : [];
    case "record":
      return entries.flatMap(([key, v]) => unknownKeys(def.valueType!, v, [...path, key]));
    default:
      return [];
  }
}

/** The known key within a small edit distance (or differing only in case), if any. */
function nearest(key: string, known: string[]): { suggestion?: string } {
  let best: { key: string; distance: number } | undefined;
  for (const candidate of known) {
    const distance = candidate.toLowerCase() === key.toLowerCase() ? 0 : editDistance(key, candidate);
    if (!best || distance < best.distance) best = { key: candidate, distance };
  }
  return best && best.distance <= Math.max(2, Math.floor(key.length / 3)) ? { suggestion: best.key } : {};
}

/** Levenshtein distance, with a swap of two neighbouring letters counting as one edit. */
function editDistance(a: string, b: string): number {
  const d: number[][] = Array.from({ length: a.length + 1 }, (_, i) => [i, ...Array<number>(b.length).fill(0)]);
  for (let j = 1; j <= b.length; j++) d[0][j] = j;
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      d[i][j] = Math.min(d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) d[i][j] = Math.min(d[i][j], d[i - 2][j - 2] + 1);
    }
  }
  return d[a.length][b.length];
}
