// The page: starts the training worker and draws what it reports (progress bar, live loss and
// accuracy curves, test digits with predictions). `window.demo` holds the figures the CI check reads.
import type { Prediction, WorkerMessage } from './protocol.js';

interface Point { x: number; y: number }
const demo = { ready: false, done: false, reached: false, reachedSeconds: null as number | null, testAccuracy: 0, epochs: 0, threads: 0, target: 0, error: null as string | null };
(globalThis as unknown as { demo: typeof demo }).demo = demo;

const $ = <T extends HTMLElement>(id: string) => document.getElementById(id) as T;
const lossPoints: Point[] = [];
const trainAcc: Point[] = [];
const valAcc: Point[] = [];
const testAcc: Point[] = [];

const worker = new Worker(new URL('./worker.js', import.meta.url), { type: 'module' });
worker.onerror = (e) => console.error(`training worker: ${e.message}`);
worker.onmessage = ({ data }: MessageEvent<WorkerMessage>) => {
  switch (data.type) {
    case 'ready':
      Object.assign(demo, { ready: true, threads: data.threads, target: data.target });
      $('threads').textContent = String(data.threads);
      $('sizes').textContent = `${data.train} training, ${data.val} validation and ${data.test} test digits; ${data.parameters} parameters. Target: ${(data.target * 100).toFixed(0)}% test accuracy.`;
      $('status').textContent = 'training…';
      break;
    case 'batch': {
      const done = (data.epoch * data.batches + data.batch) / (data.epochs * data.batches);
      $('progress').style.width = `${(done * 100).toFixed(1)}%`;
      $('status').textContent = `epoch ${data.epoch + 1}/${data.epochs}  batch ${data.batch}/${data.batches}  running loss ${data.loss.toFixed(4)}`;
      lossPoints.push({ x: data.step / data.batches, y: data.loss });
      drawCharts();
      break;
    }
    case 'epoch': {
      const x = data.epoch + 1;
      if (data.trainAccuracy !== null) trainAcc.push({ x, y: data.trainAccuracy });
      if (data.valAccuracy !== null) valAcc.push({ x, y: data.valAccuracy });
      testAcc.push({ x, y: data.testAccuracy });
      Object.assign(demo, { epochs: x, testAccuracy: data.testAccuracy });
      if (!demo.reached && data.testAccuracy >= demo.target) {
        Object.assign(demo, { reached: true, reachedSeconds: data.seconds });
        $('reached').textContent = `Reached ${(data.testAccuracy * 100).toFixed(1)}% test accuracy after ${x} epoch(s), ${data.seconds.toFixed(1)} s from page load.`;
      }
      drawCharts();
      drawDigits(data.predictions);
      break;
    }
    case 'done':
      demo.done = true;
      $('progress').style.width = '100%';
      $('status').textContent = `done in ${data.seconds.toFixed(1)} s: test accuracy ${(demo.testAccuracy * 100).toFixed(2)}%`;
      break;
    case 'error':
      demo.error = data.message;
      $('status').textContent = `error: ${data.message}`;
      console.error(`training failed: ${data.message}`);
      break;
  }
};

function drawCharts(): void {
  chart($('loss'), 'training loss (running mean within each epoch)', [{ points: lossPoints, color: '#1f77b4', label: 'training' }]);
  chart($('accuracy'), 'accuracy per epoch', [
    { points: trainAcc, color: '#1f77b4', label: 'training' },
    { points: valAcc, color: '#ff7f0e', label: 'validation' },
    { points: testAcc, color: '#2ca02c', label: 'test' },
  ], [0.8, 1]);
}

function chart(canvas: HTMLCanvasElement, title: string, series: { points: Point[]; color: string; label: string }[], range?: [number, number]): void {
  const g = canvas.getContext('2d')!;
  const { width, height } = canvas;
  const pad = { left: 44, right: 12, top: 26, bottom: 28 };
  g.clearRect(0, 0, width, height);
  g.font = '12px system-ui, sans-serif';
  g.fillStyle = '#222';
  g.fillText(title, pad.left, 16);
  const all = series.flatMap((s) => s.points);
  if (all.length === 0) return;
  const xMax = Math.max(1, ...all.map((p) => p.x));
  const [yMin, yMax] = range ?? [0, Math.max(...all.map((p) => p.y)) * 1.05];
  const X = (x: number) => pad.left + (x / xMax) * (width - pad.left - pad.right);
  const Y = (y: number) => height - pad.bottom - ((Math.min(Math.max(y, yMin), yMax) - yMin) / (yMax - yMin)) * (height - pad.top - pad.bottom);
  g.strokeStyle = '#bbb';
  g.beginPath();
  g.moveTo(pad.left, pad.top);
  g.lineTo(pad.left, height - pad.bottom);
  g.lineTo(width - pad.right, height - pad.bottom);
  g.stroke();
  g.fillStyle = '#555';
  for (const y of [yMin, (yMin + yMax) / 2, yMax]) g.fillText(y.toFixed(2), 4, Y(y) + 4);
  g.fillText('epoch', width - pad.right - 34, height - 8);
  for (let e = 1; e <= xMax; e++) g.fillText(String(e), X(e) - 3, height - pad.bottom + 14);
  series.forEach((s, k) => {
    g.strokeStyle = s.color;
    g.fillStyle = s.color;
    g.lineWidth = 2;
    g.beginPath();
    s.points.forEach((p, i) => (i === 0 ? g.moveTo(X(p.x), Y(p.y)) : g.lineTo(X(p.x), Y(p.y))));
    g.stroke();
    for (const p of s.points.length < 20 ? s.points : []) g.fillRect(X(p.x) - 2, Y(p.y) - 2, 4, 4);
    g.fillText(s.label, width - pad.right - 80, pad.top + 4 + 14 * k);
  });
}

function drawDigits(predictions: Prediction[]): void {
  const grid = $('digits');
  grid.replaceChildren(...predictions.map((p) => {
    const cell = document.createElement('div');
    cell.className = 'digit';
    const canvas = document.createElement('canvas');
    canvas.width = 28;
    canvas.height = 28;
    const g = canvas.getContext('2d')!;
    const image = g.createImageData(28, 28);
    p.pixels.forEach((v, i) => {
      const shade = 255 - Math.round(v * 255);
      image.data.set([shade, shade, shade, 255], i * 4);
    });
    g.putImageData(image, 0, 0);
    const caption = document.createElement('div');
    caption.className = p.predicted === p.label ? 'right' : 'wrong';
    caption.textContent = p.predicted === p.label ? `${p.predicted} ✓` : `${p.predicted} (is ${p.label})`;
    cell.append(canvas, caption);
    return cell;
  }));
}
