// Line-chart primitives for the history chart, as plain SVG strings: no DOM, no dependency, so a
// training run on a headless machine can still write its curves. Not exported from the package.

/** One line of a panel: points where `y` is `null` (missing, NaN, ±Infinity) break the line. */
export interface ChartSeries {
  key: string;
  label: string;
  color: string;
  dashed: boolean;
  points: readonly { x: number; y: number | null }[];
}

/** One panel: a title, an x/y plot of its series, a legend. */
export interface ChartPanel {
  title: string;
  yLabel: string;
  series: readonly ChartSeries[];
}

/** Where a panel sits in the picture, and the x range shared by all panels. */
export interface PanelFrame {
  x: number;
  width: number;
  height: number;
  xDomain: readonly [number, number];
  xLabel: string;
  marker?: { x: number; label: string } | undefined;
}

// Room for the title and legend above the plot, tick labels at the left and below.
const MARGIN = { top: 44, right: 18, bottom: 42, left: 58 };

/** Text for an attribute value or element content. */
export function escapeXml(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&apos;');
}

/** A coordinate with at most two decimals: enough for the screen, and short, stable text. */
const num = (v: number) => String(Math.round(v * 100) / 100);

/** The step of about `count` ticks over `span`: 1, 2 or 5 times a power of ten, as people read axes. */
export function niceStep(span: number, count: number): number {
  const raw = span / Math.max(count, 1);
  const power = 10 ** Math.floor(Math.log10(raw));
  const frac = raw / power;
  return (frac <= 1 ? 1 : frac <= 2 ? 2 : frac <= 5 ? 5 : 10) * power;
}

/** A y range rounded out to whole ticks; a flat series gets some room around its value. */
export function niceDomain(min: number, max: number, count = 5): { domain: [number, number]; ticks: number[] } {
  // A span below ~1e-9 of the values cannot be labelled (the ticks would differ only in the last bits,
  // and 1 + Number.EPSILON made the tick index pass 2^53 where i++ stops advancing): treat it as flat.
  if (max - min <= Math.max(Math.abs(min), Math.abs(max)) * 1e-9) {
    max = min;
    const pad = Math.abs(min) > 0 ? Math.abs(min) * 0.1 : 1;
    [min, max] = [min - pad, max + pad];
  }
  const step = niceStep(max - min, count);
  const lo = Math.floor(min / step) * step;
  const hi = Math.ceil(max / step) * step;
  return { domain: [lo, hi], ticks: ticksBetween(lo, hi, step) };
}

/** Multiples of `step` in [lo, hi], computed by index so that 0.1 + 0.2 drift never adds a tick. */
export function ticksBetween(lo: number, hi: number, step: number): number[] {
  const ticks: number[] = [];
  const first = Math.ceil(lo / step - 1e-9);
  // Counted, not stepped: beyond 2^53 an index stops changing under i++, so the loop is bounded by count.
  const count = Math.floor(hi / step + 1e-9) - first + 1;
  if (!Number.isFinite(count) || count > 10_000) throw new Error(`historyToSvg: cannot place ticks from ${lo} to ${hi} every ${step}`);
  for (let k = 0; k < count; k++) ticks.push(Number(((first + k) * step).toPrecision(12)));
  return ticks;
}

/** A tick label with as many decimals as the step needs (0.05 → two, 2 → none). */
export function formatTick(v: number, step: number): string {
  const decimals = Math.max(0, Math.min(10, -Math.floor(Math.log10(step) + 1e-9)));
  return (Object.is(v, -0) ? 0 : v).toFixed(decimals);
}

// Loops rather than Math.min(...values): a per-batch history can exceed the spread argument limit.
export const minOf = (values: readonly number[]) => values.reduce((a, b) => Math.min(a, b), Infinity);
export const maxOf = (values: readonly number[]) => values.reduce((a, b) => Math.max(a, b), -Infinity);

/** Splits a series at its missing values into runs of consecutive points. */
function segments(points: ChartSeries['points']): { x: number; y: number }[][] {
  const runs: { x: number; y: number }[][] = [];
  let run: { x: number; y: number }[] = [];
  for (const p of points) {
    if (p.y === null) {
      if (run.length > 0) runs.push(run);
      run = [];
    } else run.push({ x: p.x, y: p.y });
  }
  if (run.length > 0) runs.push(run);
  return runs;
}

/** The SVG of one panel: frame, grid, ticks, axis labels, lines, legend, optional marker line. */
export function renderPanel(panel: ChartPanel, frame: PanelFrame): string {
  const left = frame.x + MARGIN.left;
  const right = frame.x + frame.width - MARGIN.right;
  const top = MARGIN.top;
  const bottom = frame.height - MARGIN.bottom;
  const ys = panel.series.flatMap((s) => s.points.map((p) => p.y).filter((y): y is number => y !== null));
  const { domain: yDomain, ticks: yTicks } = niceDomain(minOf(ys), maxOf(ys));
  const [x0, x1] = frame.xDomain;
  const sx = (x: number) => left + ((x - x0) / (x1 - x0)) * (right - left);
  const sy = (y: number) => bottom - ((y - yDomain[0]) / (yDomain[1] - yDomain[0])) * (bottom - top);
  const out: string[] = [`<g class="panel" data-title="${escapeXml(panel.title)}">`];
  out.push(`<text x="${num(left)}" y="18" font-size="14" font-weight="bold">${escapeXml(panel.title)}</text>`);

  // Grid and ticks first, so the data lines are drawn over them.
  const yStep = yTicks.length > 1 ? yTicks[1]! - yTicks[0]! : 1;
  for (const t of yTicks) {
    const y = num(sy(t));
    out.push(`<line x1="${num(left)}" y1="${y}" x2="${num(right)}" y2="${y}" stroke="#e5e5e5"/>`);
    out.push(`<text x="${num(left - 6)}" y="${y}" text-anchor="end" dominant-baseline="middle">${formatTick(t, yStep)}</text>`);
  }
  const xStep = Math.max(1, Math.round(niceStep(x1 - x0, Math.max(2, (right - left) / 70))));
  for (const t of ticksBetween(x0, x1, xStep)) {
    const x = num(sx(t));
    out.push(`<line x1="${x}" y1="${num(bottom)}" x2="${x}" y2="${num(bottom + 5)}" stroke="#333"/>`);
    out.push(`<text x="${x}" y="${num(bottom + 18)}" text-anchor="middle">${formatTick(t, xStep)}</text>`);
  }
  out.push(`<path d="M${num(left)},${num(top)}V${num(bottom)}H${num(right)}" fill="none" stroke="#333"/>`);
  out.push(`<text x="${num((left + right) / 2)}" y="${num(frame.height - 6)}" text-anchor="middle">${escapeXml(frame.xLabel)}</text>`);
  const midY = num((top + bottom) / 2);
  out.push(`<text x="${num(frame.x + 14)}" y="${midY}" text-anchor="middle" transform="rotate(-90 ${num(frame.x + 14)} ${midY})">${escapeXml(panel.yLabel)}</text>`);

  if (frame.marker && frame.marker.x >= x0 && frame.marker.x <= x1) {
    const x = num(sx(frame.marker.x));
    out.push(`<line class="marker" x1="${x}" y1="${num(top)}" x2="${x}" y2="${num(bottom)}" stroke="#888" stroke-dasharray="2 3"/>`);
    out.push(`<text x="${num(sx(frame.marker.x) + 4)}" y="${num(top + 12)}" fill="#666" font-size="11">${escapeXml(frame.marker.label)}</text>`);
  }

  for (const s of panel.series) {
    const style = `stroke="${s.color}" stroke-width="2"${s.dashed ? ' stroke-dasharray="6 4"' : ''}`;
    for (const run of segments(s.points)) {
      // A point with no neighbour would be an invisible zero-length line: draw it as a dot.
      if (run.length === 1) {
        out.push(`<circle data-key="${escapeXml(s.key)}" cx="${num(sx(run[0]!.x))}" cy="${num(sy(run[0]!.y))}" r="3" fill="${s.color}"/>`);
      } else {
        const pts = run.map((p) => `${num(sx(p.x))},${num(sy(p.y))}`).join(' ');
        out.push(`<polyline data-key="${escapeXml(s.key)}" points="${pts}" fill="none" ${style}/>`);
      }
    }
  }

  // Legend at the top right, items laid out right to left; text width estimated (no font metrics).
  let lx = right;
  for (const s of [...panel.series].reverse()) {
    const textWidth = s.label.length * 6.6;
    lx -= textWidth;
    out.push(`<text x="${num(lx)}" y="${num(top - 14)}" dominant-baseline="middle">${escapeXml(s.label)}</text>`);
    const dash = s.dashed ? ' stroke-dasharray="6 4"' : '';
    out.push(`<line x1="${num(lx - 28)}" y1="${num(top - 14)}" x2="${num(lx - 6)}" y2="${num(top - 14)}" stroke="${s.color}" stroke-width="2"${dash}/>`);
    lx -= 42;
  }
  out.push('</g>');
  return out.join('\n');
}
