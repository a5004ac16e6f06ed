// The training history as an SVG chart: loss and accuracy per epoch, train and validation,
// side by side. Records are read by key, so any numeric series (a custom metric, lr) can be drawn.
import { checkOptions, describeValue } from '@tapegrad/autograd';
import { isPlainObject } from './checks.js';
import { maxOf, minOf, renderPanel, type ChartPanel, type ChartSeries } from './svg-chart.js';

/**
 * One line of a chart panel: the record key to plot, and optionally its legend label, colour and
 * dash (validation series are dashed by default).
 *
 * @example
 * ```ts
 * const series: HistorySeries = { key: 'valTop3', label: 'validation top-3', color: '#2ca02c' };
 * ```
 * @category Training
 */
export interface HistorySeries {
  /** The record field holding the values. */
  key: string;
  /** Legend text (default: `train`, `validation` or `test` from the key's prefix, else the key). */
  label?: string;
  /** Stroke colour (default: from a colour-blind-safe palette, train blue, validation orange). */
  color?: string;
  /** Dashed line (default: for keys starting with `val`). */
  dashed?: boolean;
}

/**
 * One panel of the chart: a title and the series it plots (record keys or {@link HistorySeries}).
 *
 * @example
 * ```ts
 * const panel: HistoryPanel = { title: 'Learning rate', series: ['lr'] };
 * ```
 * @category Training
 */
export interface HistoryPanel {
  /** Heading above the panel. */
  title: string;
  /** Label of the y axis (default: the title, lower case). */
  yLabel?: string;
  /** The series to draw: record keys or full descriptions. */
  series: readonly (string | HistorySeries)[];
}

/**
 * Options of {@link historyToSvg} (and `saveHistorySvg` of `@tapegrad/train/node`).
 *
 * @example
 * ```ts
 * const options: HistorySvgOptions = { epochOffset: 1, bestEpoch: 7, width: 1000 };
 * ```
 * @category Training
 */
export interface HistorySvgOptions {
  /** The panels to draw (default: a loss panel of every `…loss` key and an accuracy panel of every `…acc`/`…accuracy` key). */
  panels?: readonly HistoryPanel[];
  /** The record key of the x axis (default `epoch`; records without it are numbered by position). */
  xKey?: string;
  /** Added to the x values for display: `1` draws epochs recorded from 0 as 1, 2, … like the progress lines. */
  epochOffset?: number;
  /** Draws a dotted vertical line labelled `best` at this epoch (as recorded, before the offset). */
  bestEpoch?: number;
  /** Width of the whole picture in pixels (default 900, shared by the panels). */
  width?: number;
  /** Height in pixels (default 320). */
  height?: number;
}

// Okabe–Ito colours: distinguishable with the common colour-vision deficiencies.
const PALETTE = ['#0072B2', '#E69F00', '#009E73', '#CC79A7', '#56B4E9', '#D55E00', '#F0E442', '#000000'];

const isVal = (key: string) => /^val/i.test(key);
const valueOf = (record: object, key: string): unknown => (record as Record<string, unknown>)[key];
const finite = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v);

function defaultLabel(key: string): string {
  if (isVal(key)) return 'validation';
  if (/^train/i.test(key)) return 'train';
  if (/^test/i.test(key)) return 'test';
  return key;
}

/** Loss and accuracy panels from the keys present, train series before validation ones. */
function defaultPanels(history: readonly object[]): HistoryPanel[] {
  const keys = [...new Set(history.flatMap((r) => Object.keys(r).filter((k) => finite(valueOf(r, k)))))];
  const pick = (re: RegExp) => keys.filter((k) => re.test(k)).sort((a, b) => Number(isVal(a)) - Number(isVal(b)));
  return [
    { title: 'Loss', series: pick(/loss$/i) },
    { title: 'Accuracy', series: pick(/acc(uracy)?$/i) },
  ];
}

function toChartPanel(panel: HistoryPanel, history: readonly object[], xs: readonly number[]): ChartPanel {
  const specs = panel.series.map((s): HistorySeries => (typeof s === 'string' ? { key: s } : s));
  const labels = specs.map((s) => s.label ?? defaultLabel(s.key));
  // Two series with the same default label (trainLoss and trainLoss2) would be ambiguous: use keys.
  const clash = new Set(labels.filter((l, i) => labels.indexOf(l) !== i));
  const series = specs.map((s, i): ChartSeries => ({
    key: s.key,
    label: s.label ?? (clash.has(labels[i]!) ? s.key : labels[i]!),
    color: s.color ?? PALETTE[i % PALETTE.length]!,
    dashed: s.dashed ?? isVal(s.key),
    points: history.map((r, j) => {
      const v = valueOf(r, s.key);
      return { x: xs[j]!, y: finite(v) ? v : null };
    }),
  }));
  return { title: panel.title, yLabel: panel.yLabel ?? panel.title.toLowerCase(), series: series.filter((s) => s.points.some((p) => p.y !== null)) };
}

/**
 * Draws a training history (one record per epoch, such as `fit`'s `history`) as a standalone SVG
 * chart: by default a loss panel and an accuracy panel side by side, each with axes, ticks, a
 * legend, and train (solid) and validation (dashed) lines. Missing values (`null`, `undefined`,
 * NaN, ±Infinity) leave gaps; panels without any value are left out, and an empty history gives a
 * chart that says "no data". Returns the SVG text; nothing is written.
 *
 * @example
 * ```ts
 * const svg = historyToSvg([
 *   { epoch: 1, trainLoss: 0.9, valLoss: 1.0, trainAccuracy: 0.70, valAccuracy: 0.68 },
 *   { epoch: 2, trainLoss: 0.5, valLoss: 0.6, trainAccuracy: 0.85, valAccuracy: 0.82 },
 * ]);
 * writeFileSync('history.svg', svg);
 * ```
 * @category Training
 */
export function historyToSvg(history: readonly object[], options: HistorySvgOptions = {}): string {
  return historySvgAs('historyToSvg', history, options);
}

/** Checks a panel description (title, yLabel, series of keys or { key, label, color, dashed }). */
function checkPanel(who: string, panel: unknown, at: string): void {
  if (!isPlainObject(panel)) throw new Error(`${who}: ${at} must be { title, yLabel?, series } (got ${describeValue(panel)})`);
  checkOptions(who, panel, ['title', 'yLabel', 'series']);
  if (typeof panel.title !== 'string') throw new Error(`${who}: ${at}.title must be a string (got ${describeValue(panel.title)})`);
  if (panel.yLabel !== undefined && typeof panel.yLabel !== 'string') throw new Error(`${who}: ${at}.yLabel must be a string (got ${describeValue(panel.yLabel)})`);
  if (!Array.isArray(panel.series)) throw new Error(`${who}: ${at}.series must be an array of record keys or { key, label?, color?, dashed? } (got ${describeValue(panel.series)})`);
  panel.series.forEach((s: unknown, i) => {
    if (typeof s === 'string') return;
    if (!isPlainObject(s)) throw new Error(`${who}: ${at}.series[${i}] must be a record key or { key, label?, color?, dashed? } (got ${describeValue(s)})`);
    checkOptions(who, s, ['key', 'label', 'color', 'dashed']);
    for (const k of ['key', 'label', 'color'] as const) {
      if ((k === 'key' || s[k] !== undefined) && typeof s[k] !== 'string') throw new Error(`${who}: ${at}.series[${i}].${k} must be a string (got ${describeValue(s[k])})`);
    }
    if (s.dashed !== undefined && typeof s.dashed !== 'boolean') throw new Error(`${who}: ${at}.series[${i}].dashed must be true or false (got ${describeValue(s.dashed)})`);
  });
}

/** {@link historyToSvg} with errors starting with `who` (saveHistorySvg's name when it calls). */
export function historySvgAs(who: string, history: readonly object[], options: HistorySvgOptions = {}): string {
  // (undefined becomes {} through the default above.)
  if (!Array.isArray(history)) throw new Error(`${who}: history must be an array of epoch records (got ${describeValue(history)}, expected fit's history)`);
  history.forEach((r: unknown, i) => {
    if (!isPlainObject(r)) throw new Error(`${who}: history[${i}] must be an epoch record (got ${describeValue(r)}, expected { epoch, trainLoss, ... })`);
  });
  const given: unknown = options;
  if (!isPlainObject(given)) throw new Error(`${who}: options must be an object (got ${describeValue(given)})`);
  checkOptions(who, options, ['panels', 'xKey', 'epochOffset', 'bestEpoch', 'width', 'height']);
  for (const k of ['width', 'height'] as const) {
    const v = options[k];
    if (v !== undefined && !(typeof v === 'number' && Number.isFinite(v) && v > 0)) throw new Error(`${who}: ${k} must be a finite number > 0 (got ${describeValue(v)}, expected pixels)`);
  }
  for (const k of ['epochOffset', 'bestEpoch'] as const) {
    const v = options[k];
    if (v !== undefined && !(typeof v === 'number' && Number.isFinite(v))) throw new Error(`${who}: ${k} must be a finite number (got ${describeValue(v)})`);
  }
  if (options.xKey !== undefined && typeof options.xKey !== 'string') throw new Error(`${who}: xKey must be a record key (got ${describeValue(options.xKey)}, expected a string such as 'epoch')`);
  if (options.panels !== undefined) {
    if (!Array.isArray(options.panels)) throw new Error(`${who}: panels must be an array of { title, series } (got ${describeValue(options.panels)})`);
    options.panels.forEach((p: unknown, i) => checkPanel(who, p, `panels[${i}]`));
  }
  const width = options.width ?? 900;
  const height = options.height ?? 320;
  const xKey = options.xKey ?? 'epoch';
  const offset = options.epochOffset ?? 0;
  const xs = history.map((r, i) => {
    const x = valueOf(r, xKey);
    return (finite(x) ? x : i) + offset;
  });
  const panels = (options.panels ?? defaultPanels(history)).map((p) => toChartPanel(p, history, xs)).filter((p) => p.series.length > 0);
  const head = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="Helvetica, Arial, sans-serif" font-size="12">`,
    `<rect width="${width}" height="${height}" fill="white"/>`,
  ];
  if (panels.length === 0) {
    const text = `<text x="${width / 2}" y="${height / 2}" text-anchor="middle" fill="#666">no data</text>`;
    return [...head, text, '</svg>', ''].join('\n');
  }
  const lo = minOf(xs);
  const hi = maxOf(xs);
  // A single epoch still needs an x range: half an epoch either side puts its tick in the middle.
  const xDomain: [number, number] = lo === hi ? [lo - 0.5, hi + 0.5] : [lo, hi];
  const marker = options.bestEpoch === undefined ? undefined : { x: options.bestEpoch + offset, label: 'best' };
  const panelWidth = width / panels.length;
  const body = panels.map((p, i) =>
    renderPanel(p, { x: i * panelWidth, width: panelWidth, height, xDomain, xLabel: xKey, marker }),
  );
  return [...head, ...body, '</svg>', ''].join('\n');
}
