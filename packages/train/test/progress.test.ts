import { describe, expect, it } from 'vitest';
import { ProgressReporter, formatEpochLine, type FitProgress, type ProgressStream } from '@tapegrad/train';

/** A stream that records what is written, and a clock the test moves by hand. */
function fake(isTTY: boolean, columns = 100) {
  const chunks: string[] = [];
  const stream: ProgressStream = { write: (s: string) => chunks.push(s), isTTY, columns };
  const clock = { ms: 0 };
  return { chunks, stream, clock, now: () => clock.ms, text: () => chunks.join('') };
}

/** What a terminal shows: `\r` moves the cursor to column 0 and later text overwrites the line. */
function screen(output: string): string[] {
  const lines: string[] = [];
  let line = '';
  let col = 0;
  for (const part of output.split(/(\r|\n)/)) {
    if (part === '\n') {
      lines.push(line);
      [line, col] = ['', 0];
    } else if (part === '\r') col = 0;
    else {
      line = line.slice(0, col) + part + line.slice(col + part.length);
      col += part.length;
    }
  }
  return [...lines, line].map((l) => l.trimEnd());
}

/** Runs one epoch of `batches` batches of 32 samples, `msPerBatch` apart, with loss 1/(batch). */
function runEpoch(p: ProgressReporter, f: ReturnType<typeof fake>, epoch: number, batches: number, msPerBatch: number, total: number | null = batches) {
  p.epochStart(epoch, total ?? undefined);
  for (let b = 1; b <= batches; b++) {
    f.clock.ms += msPerBatch;
    p.batchEnd(b, { loss: 1 / b, samples: 32 * b });
  }
}

describe('formatEpochLine', () => {
  it('prints the documented line', () => {
    const record = { epoch: 2, trainLoss: 0.23141, trainAccuracy: 0.93124, valLoss: 0.251, valAccuracy: 0.925, lr: 0.01, seconds: 12.34, samplesPerSecond: 1234.4 };
    expect(formatEpochLine(record, 10)).toBe('epoch 3/10  loss 0.2314  acc 0.9312  val_loss 0.2510  val_acc 0.9250  1234 samples/s  12.3s');
  });

  it('leaves out missing values, names extra metrics, and shows nan, tiny values and long times', () => {
    const record = { epoch: 0, trainLoss: Number.NaN, trainAccuracy: null, valLoss: null, valAccuracy: null, trainTop3: 0.5, valTop3: 0.25, gradNorm: 2.5e-5, seconds: 125.2 };
    expect(formatEpochLine(record)).toBe('epoch 1  loss nan  top3 0.5000  val_top3 0.2500  grad_norm 2.50e-5  2m05s');
    expect(formatEpochLine({ epoch: 4, seconds: 3725 }, 5)).toBe('epoch 5/5  1h02m');
  });
});

describe('ProgressReporter when not a TTY', () => {
  it('prints exactly one clean line per epoch and nothing during it', () => {
    const f = fake(false);
    const p = new ProgressReporter({ epochs: 2, stream: f.stream, now: f.now });
    runEpoch(p, f, 0, 50, 20); // 1 s for 1600 samples
    expect(f.chunks).toEqual([]);
    f.clock.ms += 500; // validation
    p.epochEnd({ epoch: 0, valLoss: 0.5, valAccuracy: 0.75 });
    runEpoch(p, f, 1, 50, 20);
    p.epochEnd({ epoch: 1, trainLoss: 0.25, trainAccuracy: 0.9, valLoss: 0.3, valAccuracy: 0.8, seconds: 1.25, samplesPerSecond: 1500 });
    p.close();
    expect(f.text()).toBe(
      'epoch 1/2  loss 0.0200  val_loss 0.5000  val_acc 0.7500  1600 samples/s  1.5s\n' +
        'epoch 2/2  loss 0.2500  acc 0.9000  val_loss 0.3000  val_acc 0.8000  1500 samples/s  1.3s\n',
    );
    expect(f.text()).not.toContain('\r');
  });

  it("takes fit's EpochRecord and running seconds as given, and is a FitProgress", () => {
    const f = fake(false);
    const progress: FitProgress = new ProgressReporter({ epochs: 3, stream: f.stream, now: f.now });
    progress.epochStart(0, 2);
    progress.batchEnd(1, { loss: 0.7, samples: 10, seconds: 0.5 });
    progress.batchEnd(2, { loss: 0.6, samples: 20, seconds: 1 });
    const record = { epoch: 0, trainLoss: 0.6, trainAccuracy: 0.8, valLoss: 0.65, valAccuracy: null, lr: 0.1, seconds: 1.5, samplesPerSecond: 20 };
    progress.epochEnd(record, [record]);
    progress.close();
    expect(f.text()).toBe('epoch 1/3  loss 0.6000  acc 0.8000  val_loss 0.6500  20 samples/s  1.5s\n');
  });

  it("mode 'bar' draws the bar even on a stream that is not a TTY", () => {
    const f = fake(false);
    const p = new ProgressReporter({ stream: f.stream, now: f.now, mode: 'bar' });
    runEpoch(p, f, 0, 1, 10);
    expect(f.text()).toMatch(/^\repoch 1 \[/);
  });
});

describe('ProgressReporter on a TTY', () => {
  it('redraws one line in place with the bar, running loss, throughput and ETA', () => {
    const f = fake(true);
    const p = new ProgressReporter({ epochs: 10, stream: f.stream, now: f.now });
    runEpoch(p, f, 2, 1, 100, 4); // 1 of 4 batches in 0.1 s
    expect(f.chunks).toEqual(['\repoch 3/10 [=======>                      ] 1/4  loss 1.0000  320 samples/s  ETA 0.3s']);
    f.clock.ms += 100;
    p.batchEnd(2, { loss: 0.5, samples: 64 });
    expect(f.chunks[1]).toBe('\repoch 3/10 [===============>              ] 2/4  loss 0.5000  320 samples/s  ETA 0.2s');
    p.epochEnd({ epoch: 2, valLoss: 0.4 });
    expect(screen(f.text())).toEqual(['epoch 3/10  loss 0.5000  val_loss 0.4000  320 samples/s  0.2s', '']);
    // The summary is padded over the longer bar, so no stale characters remain on screen.
    expect(f.chunks[2]!.length).toBeGreaterThan(f.chunks[1]!.length);
  });

  it('redraws at most 10 times a second, however fast the batches come', () => {
    const f = fake(true);
    const p = new ProgressReporter({ epochs: 1, stream: f.stream, now: f.now });
    runEpoch(p, f, 0, 3000, 1); // 3000 batches in 3 s
    const draws = f.chunks.filter((c) => c.startsWith('\r'));
    expect(draws.length).toBe(30);
    expect(draws.every((d) => !d.includes('\n'))).toBe(true);
    expect(draws.at(-1)).toContain('2901/3000');
  });

  it('fits the terminal width: shorter bar, then no bar, never a wrapped line', () => {
    for (const columns of [120, 70, 50, 30]) {
      const f = fake(true, columns);
      const p = new ProgressReporter({ epochs: 100, stream: f.stream, now: f.now });
      runEpoch(p, f, 41, 1, 100, 1875);
      expect(f.chunks[0]!.length - 1).toBeLessThanOrEqual(columns - 1);
      expect(f.chunks[0]).toContain('epoch 42/100');
      if (columns === 50) expect(f.chunks[0]).not.toContain('[');
    }
  });

  it('shows a count without bar or ETA when the number of batches is unknown', () => {
    const f = fake(true);
    const p = new ProgressReporter({ stream: f.stream, now: f.now });
    runEpoch(p, f, 0, 1, 200, null);
    expect(f.chunks).toEqual(['\repoch 1 batch 1  loss 1.0000  160 samples/s']);
  });

  it('prints log messages above the bar and ends a bar left mid-epoch on close', () => {
    const f = fake(true);
    const p = new ProgressReporter({ epochs: 2, stream: f.stream, now: f.now });
    runEpoch(p, f, 0, 1, 100, 10);
    p.log('early stopping: no improvement for 3 epochs');
    f.clock.ms += 10; // the bar comes back at the next batch, throttle or not
    p.batchEnd(2, { loss: 0.5, samples: 64 });
    p.close();
    const lines = screen(f.text());
    expect(lines[0]).toBe('early stopping: no improvement for 3 epochs');
    expect(lines[1]).toMatch(/^epoch 1\/2 \[.*\] 2\/10  loss 0\.5000/);
    expect(lines[2]).toBe('');
    expect(f.text().endsWith('\n')).toBe(true);
  });
});
