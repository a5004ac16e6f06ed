import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { historyToSvg } from '@tapegrad/train';
import { saveHistorySvg } from '@tapegrad/train/node';

interface Element {
  name: string;
  attrs: Record<string, string>;
  children: Element[];
  text: string;
}

const ENTITIES: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" };
const decode = (s: string) => s.replace(/&(amp|lt|gt|quot|apos);/g, (_, e: string) => ENTITIES[e]!);

/** A strict little XML reader: throws on unbalanced tags, unquoted attributes or stray `&`/`<`. */
function parseXml(xml: string): Element {
  const root: Element = { name: '#document', attrs: {}, children: [], text: '' };
  const stack = [root];
  const token = /<!--[^]*?-->|<\?[^]*?\?>|<(\/?)([A-Za-z][\w:.-]*)((?:\s+[\w:.-]+="[^"<]*")*)\s*(\/?)>|([^<]+)/gy;
  let m: RegExpExecArray | null;
  let at = 0;
  while (at < xml.length) {
    token.lastIndex = at;
    if (!(m = token.exec(xml))) throw new Error(`malformed XML at offset ${at}: ${xml.slice(at, at + 40)}`);
    at = token.lastIndex;
    const [, close, name, attrText, selfClose, text] = m;
    const top = stack[stack.length - 1]!;
    if (text !== undefined) {
      if (/&(?!(amp|lt|gt|quot|apos);)/.test(text)) throw new Error(`unescaped & in ${JSON.stringify(text)}`);
      top.text += decode(text);
    } else if (name === undefined) continue; // comment or declaration
    else if (close) {
      if (top.name !== name) throw new Error(`</${name}> closes <${top.name}>`);
      stack.pop();
    } else {
      const attrs: Record<string, string> = {};
      for (const [, k, v] of attrText!.matchAll(/([\w:.-]+)="([^"]*)"/g)) {
        if (k! in attrs) throw new Error(`duplicate attribute ${k}`);
        if (/&(?!(amp|lt|gt|quot|apos);)/.test(v!)) throw new Error(`unescaped & in attribute ${k}`);
        attrs[k!] = decode(v!);
      }
      const el: Element = { name: name!, attrs, children: [], text: '' };
      top.children.push(el);
      if (!selfClose) stack.push(el);
    }
  }
  if (stack.length !== 1) throw new Error(`<${stack[stack.length - 1]!.name}> is never closed`);
  if (root.children.length !== 1 || root.children[0]!.name !== 'svg') throw new Error('expected one <svg> root');
  return root.children[0]!;
}

const all = (el: Element, name: string): Element[] => [
  ...(el.name === name ? [el] : []),
  ...el.children.flatMap((c) => all(c, name)),
];
const texts = (el: Element) => all(el, 'text').map((t) => t.text);
const points = (svg: Element, key: string) => all(svg, 'polyline').filter((p) => p.attrs['data-key'] === key).map((p) => p.attrs.points);

const dir = mkdtempSync(join(tmpdir(), 'tapegrad-svg-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('historyToSvg', () => {
  it('draws known data at exact coordinates', () => {
    // One panel 400×300: plot from x 58 to 382 and y 44 to 258; x domain [1, 3], y ticks 0..1 by 0.2.
    const svg = parseXml(historyToSvg([{ epoch: 1, trainLoss: 1 }, { epoch: 2, trainLoss: 0.5 }, { epoch: 3, trainLoss: 0 }], { width: 400, height: 300 }));
    expect(svg.attrs).toMatchObject({ xmlns: 'http://www.w3.org/2000/svg', width: '400', height: '300', viewBox: '0 0 400 300' });
    expect(points(svg, 'trainLoss')).toEqual(['58,44 220,151 382,258']);
    expect(texts(svg)).toEqual(['Loss', '0.0', '0.2', '0.4', '0.6', '0.8', '1.0', '1', '2', '3', 'epoch', 'loss', 'train']);
    expect(all(svg, 'g').map((g) => g.attrs['data-title'])).toEqual(['Loss']);
  });

  it('puts loss and accuracy side by side, train solid and validation dashed', () => {
    const history = [
      { epoch: 0, trainLoss: 0.9, valLoss: 1.1, trainAccuracy: 0.6, valAccuracy: 0.55, lr: 0.1, seconds: 3 },
      { epoch: 1, trainLoss: 0.5, valLoss: 0.7, trainAccuracy: 0.8, valAccuracy: 0.75, lr: 0.1, seconds: 3 },
      { epoch: 2, trainLoss: 0.3, valLoss: 0.6, trainAccuracy: 0.9, valAccuracy: 0.8, lr: 0.05, seconds: 3 },
    ];
    const svg = parseXml(historyToSvg(history));
    const [loss, acc] = all(svg, 'g');
    expect([loss!.attrs['data-title'], acc!.attrs['data-title']]).toEqual(['Loss', 'Accuracy']);
    expect(all(loss!, 'polyline').map((p) => [p.attrs['data-key'], p.attrs['stroke-dasharray']])).toEqual([['trainLoss', undefined], ['valLoss', '6 4']]);
    expect(all(acc!, 'polyline').map((p) => p.attrs['data-key'])).toEqual(['trainAccuracy', 'valAccuracy']);
    expect(texts(acc!)).toEqual(expect.arrayContaining(['train', 'validation', 'accuracy']));
    // The accuracy panel starts at half the width, and its points lie inside it.
    const xs = all(acc!, 'polyline').flatMap((p) => p.attrs.points!.split(' ').map((pt) => Number(pt.split(',')[0])));
    expect(Math.min(...xs)).toBe(450 + 58);
    expect(Math.max(...xs)).toBe(900 - 18);
  });

  it('leaves gaps at NaN, null and Infinity, and draws a lone point as a dot', () => {
    const history = [
      { epoch: 0, trainLoss: 4, valLoss: 4 },
      { epoch: 1, trainLoss: 3, valLoss: Number.NaN },
      { epoch: 2, trainLoss: 2, valLoss: 3 },
      { epoch: 3, trainLoss: 1, valLoss: null },
      { epoch: 4, trainLoss: 0, valLoss: Number.POSITIVE_INFINITY },
    ];
    const svg = parseXml(historyToSvg(history, { width: 400, height: 300 }));
    expect(points(svg, 'trainLoss')).toEqual(['58,44 139,97.5 220,151 301,204.5 382,258']);
    expect(points(svg, 'valLoss')).toEqual([]);
    expect(all(svg, 'circle').map((c) => [c.attrs['data-key'], c.attrs.cx, c.attrs.cy])).toEqual([
      ['valLoss', '58', '44'],
      ['valLoss', '220', '97.5'],
    ]);
    expect(historyToSvg(history)).not.toMatch(/NaN|Infinity/);
  });

  it('says "no data" for an empty history or one without any finite value', () => {
    for (const history of [[], [{ epoch: 0, trainLoss: Number.NaN, valAccuracy: null }], [{ note: 'x' }]]) {
      const svg = parseXml(historyToSvg(history, { width: 300, height: 200 }));
      expect(texts(svg)).toEqual(['no data']);
      expect(all(svg, 'polyline')).toEqual([]);
    }
  });

  it('draws a single epoch as a dot with its tick in the middle', () => {
    const svg = parseXml(historyToSvg([{ epoch: 0, trainLoss: 0.5 }], { width: 400, height: 300 }));
    expect(all(svg, 'circle').map((c) => [c.attrs.cx, c.attrs.cy])).toEqual([['220', '151']]);
    expect(texts(svg)).toEqual(['Loss', '0.45', '0.50', '0.55', '0', 'epoch', 'loss', 'train']);
  });

  it('plots any series by key in custom panels, escapes text, shifts epochs and marks the best', () => {
    const history = [1, 2, 3, 4].map((e) => ({ epoch: e - 1, lr: 0.1 / e, trainTop3: 0.5 + e / 10, valTop3: 0.4 + e / 10 }));
    const svg = parseXml(
      historyToSvg(history, {
        width: 400,
        height: 300,
        epochOffset: 1,
        bestEpoch: 2,
        panels: [{ title: 'Top-3 <accuracy> & "more"', series: ['trainTop3', { key: 'valTop3', label: 'held out', color: '#123456' }] }],
      }),
    );
    expect(texts(svg)).toEqual(expect.arrayContaining(['Top-3 <accuracy> & "more"', 'train', 'held out', 'best', '1', '4']));
    expect(all(svg, 'polyline').find((p) => p.attrs['data-key'] === 'valTop3')?.attrs.stroke).toBe('#123456');
    // bestEpoch 2 (recorded from 0) is drawn at displayed epoch 3: two thirds of the way from 1 to 4.
    expect(all(svg, 'line').find((l) => l.attrs.class === 'marker')?.attrs.x1).toBe('274');
    expect(parseXml(historyToSvg(history, { panels: [{ title: 'Learning rate', series: ['lr'] }] })).children.length).toBeGreaterThan(1);
  });

  it('numbers records without an epoch by position, and saveHistorySvg writes the same text', () => {
    const history = [{ trainLoss: 2 }, { trainLoss: 1 }];
    expect(points(parseXml(historyToSvg(history, { width: 400, height: 300 })), 'trainLoss')).toEqual(['58,44 382,258']);
    const path = join(dir, 'history.svg');
    saveHistorySvg(path, history);
    expect(readFileSync(path, 'utf8')).toBe(historyToSvg(history));
  });
});

describe('historyToSvg on long histories', () => {
  it('draws 300,000 points (per-batch losses) without exceeding argument limits', () => {
    const history = Array.from({ length: 300_000 }, (_, i) => ({ step: i, loss: 1 / (1 + i) }));
    const svg = historyToSvg(history, { xKey: 'step', panels: [{ title: 'Loss', series: ['loss'] }] });
    expect(svg.match(/<polyline/g)).toHaveLength(1);
    expect(svg).toContain('>step</text>');
  });
});
