// Run-to-run spread: `pnpm bench --runs N` measures every selected section N times in one
// process, and each figure and each ratio is reported as the median of its N per-run values with
// their min–max range. Pure arithmetic and formatting (and the harness's repeat count), unit-tested
// in test/bench-spread.test.ts.

/** One figure (or ratio) over the runs that measured it. */
export interface Spread {
  median: number;
  min: number;
  max: number;
  /** How many runs gave a value. */
  runs: number;
}

/** Median (mean of the middle two for an even count), min and max; undefined without values. */
export function spreadOf(xs: readonly (number | undefined)[]): Spread | undefined {
  const v = xs.filter((x): x is number => x !== undefined && Number.isFinite(x)).sort((a, b) => a - b);
  if (v.length === 0) return undefined;
  const h = v.length >> 1;
  const median = v.length % 2 ? v[h]! : (v[h - 1]! + v[h]!) / 2;
  return { median, min: v[0]!, max: v[v.length - 1]!, runs: v.length };
}

/**
 * Repeats per timing so that one timing lasts ≥ `minMs`, from the warm-up runs' times: their
 * median, the first left out when there are more (it includes compiling: jax-js's jit, V8's JIT,
 * tfjs's set-up, and would make every later timing far shorter than `minMs`).
 */
export function repsFor(warmupMs: readonly number[], minMs: number): number {
  const settled = (warmupMs.length > 1 ? warmupMs.slice(1) : [...warmupMs]).sort((a, b) => a - b);
  if (settled.length === 0) throw new Error('repsFor: no warm-up times');
  return Math.max(1, Math.ceil(minMs / Math.max(settled[settled.length >> 1]!, 1e-3)));
}

const scales = [[1e9, 'G'], [1e6, 'M'], [1e3, 'k'], [1, '']] as const;

/** The power of 1,000 (and its suffix) a magnitude is written in. */
function scaleFor(magnitude: number): readonly [number, string] {
  return scales.find(([d]) => magnitude >= d * 0.9995) ?? [1, ''];
}

/** Decimals for three significant figures of a scaled value (none from 100 up). */
const digitsFor = (scaled: number) => (scaled >= 99.95 ? 0 : scaled >= 9.995 ? 1 : 2);

/**
 * Three significant figures, thousands as k and millions as M: 8294.6 → "8.29k", 26873 → "26.9k",
 * 200.2 → "200", 3.659 → "3.66", 0.561 → "0.56". Undefined → "–".
 */
export function compact(x: number | undefined): string {
  if (x === undefined || !Number.isFinite(x)) return '–';
  const [d, suffix] = scaleFor(Math.abs(x));
  const scaled = x / d;
  return scaled.toFixed(digitsFor(Math.abs(scaled))) + suffix;
}

/**
 * A figure over the runs: the median, then the range in brackets when the runs differ, the range
 * written in the scale of its larger end with the suffix once: "10.6k (9.9–11.2k)",
 * "0.93× (0.88–1.02)" with `unit` "×", "-5.45% (-10.5 to -0.4)" with "%" (a negative range says "to").
 * One run (or an empty range) prints the median alone.
 */
export function formatSpread(s: Spread | undefined, unit = ''): string {
  if (s === undefined) return '–';
  const med = compact(s.median) + unit;
  if (s.runs < 2) return med;
  const top = Math.max(Math.abs(s.min), Math.abs(s.max));
  const [d, suffix] = scaleFor(top);
  const digits = digitsFor(top / d);
  const [lo, hi] = [(s.min / d).toFixed(digits), (s.max / d).toFixed(digits)];
  if (lo === hi && compact(s.min) === compact(s.median)) return med;
  // A dash between negative numbers reads as a minus sign.
  return `${med} (${lo}${s.min < 0 ? ' to ' : '–'}${hi}${suffix})`;
}
