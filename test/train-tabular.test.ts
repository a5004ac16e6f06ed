// End to end on tabular data: a generated CSV with a known nonlinear rule (inside or outside a
// circle), missing cells and duplicated rows → readCsv → dropDuplicates / dropMissing → split →
// impute and StandardScaler fitted on the training split → MLP → fit with early stopping. The
// classes are not linearly separable, so passing the 90% bar on held-out rows needs the hidden
// layers as well as clean, well-scaled inputs (the run measures about 97%).
import { describe, expect, it } from 'vitest';
import { Generator, manualSeed } from '@tapegrad/autograd';
import { DataLoader, StandardScaler, TensorDataset, readCsv, trainValTestSplit, type Table } from '@tapegrad/data';
import { Linear, ReLU, Sequential, crossEntropy } from '@tapegrad/nn';
import { Adam, ReduceLROnPlateau } from '@tapegrad/optim';
import { EarlyStopping, evaluate, fit } from '@tapegrad/train';

const RADIUS = Math.sqrt(8 / Math.PI); // half of the [-2, 2]² square lies inside: balanced classes

/** CSV text: x1, x2 uniform on [-2, 2], an irrelevant `noise` column, label 1 inside the circle. */
function makeCsv(rows: number, seed: number): { text: string; duplicates: number; unlabelled: number } {
  const g = new Generator(seed);
  const lines = ['id,x1,x2,noise,inside'];
  const missing = ['', 'NA', '?'];
  let duplicates = 0;
  let unlabelled = 0;
  for (let id = 0; id < rows; id++) {
    const [x1, x2] = [g.uniform() * 4 - 2, g.uniform() * 4 - 2];
    const cells = [String(id), x1.toFixed(4), x2.toFixed(4), (g.normal() * 3).toFixed(4), String(Number(Math.hypot(x1, x2) < RADIUS))];
    // Some cells go missing, as in real exports: a few features, more of the noise, a few labels.
    for (const [col, p] of [[1, 0.02], [2, 0.02], [3, 0.1], [4, 0.01]] as const) {
      if (g.uniform() < p) {
        cells[col] = missing[g.int(3)]!;
        if (col === 4) unlabelled++;
      }
    }
    lines.push(cells.join(','));
    // Every 25th row is exported twice (same id): the copy must go.
    if (id % 25 === 0 && cells[4] !== '' && !missing.includes(cells[4]!)) {
      lines.push(cells.join(','));
      duplicates++;
    }
  }
  return { text: `${lines.join('\n')}\n`, duplicates, unlabelled };
}

describe('tabular end to end', () => {
  it('clean → split → impute/scale on train → MLP → fit with early stopping reaches ≥ 90% test accuracy', () => {
    manualSeed(0);
    const { text, duplicates, unlabelled } = makeCsv(3000, 3);
    const raw = readCsv({ text });
    expect(raw.numRows).toBe(3000 + duplicates);

    // Clean what needs no statistics: duplicates and rows without a label.
    const { table: unique, report: dupReport } = raw.dropDuplicates({ columns: ['id'] });
    expect(dupReport.rowsDropped).toBe(duplicates);
    const { table: labelled, report: naReport } = unique.dropMissing({ columns: ['inside'] });
    expect(naReport.rowsDropped).toBe(unlabelled);

    // Split, then learn fill values and scales from the training rows only.
    const { train, val, test } = trainValTestSplit(labelled, { val: 0.15, test: 0.15, seed: 0 });
    const [trainRows, valRows, testRows] = [train, val, test].map((s) => labelled.take(s.indices));
    const features = ['x1', 'x2', 'noise'];
    const { table: trainClean, report: fills } = trainRows!.impute({ strategy: 'median', columns: features });
    expect(fills.cellsImputed).toBeGreaterThan(0);
    const fillOthers = (t: Table) => t.impute({ strategy: 'constant', value: fills.values }).table;
    const scaler = new StandardScaler().fit(trainClean.toTensor(features));
    const dataset = (t: Table) => new TensorDataset(scaler.transform(t.toTensor(features)), t.toTensor('inside'));
    const trainSet = dataset(trainClean);
    const valSet = dataset(fillOthers(valRows!));
    const testSet = dataset(fillOthers(testRows!));

    const init = new Generator(1);
    const model = new Sequential(new Linear(3, 32, { generator: init }), new ReLU(), new Linear(32, 32, { generator: init }), new ReLU(), new Linear(32, 2, { generator: init }));
    const optimizer = new Adam(model.parameters(), { lr: 1e-2 });
    // Halve the rate when validation stalls for 3 epochs; stop when it stalls for 10.
    const scheduler = new ReduceLROnPlateau(optimizer, { factor: 0.5, patience: 3 });
    const earlyStopping = new EarlyStopping({ monitor: 'valLoss', patience: 10, minDelta: 1e-4, restoreBestWeights: true });
    const { history, bestEpoch, stoppedEarly } = fit({
      model, optimizer, earlyStopping, scheduler, epochs: 150, loss: crossEntropy, progress: false,
      trainData: new DataLoader(trainSet, { batchSize: 32, shuffle: true, seed: 2 }),
      valData: new DataLoader(valSet, { batchSize: 256 }),
    });

    const result = evaluate(model, new DataLoader(testSet, { batchSize: 256 }), { loss: crossEntropy });
    if (process.env.SHOW_TABULAR) console.log({ epochs: history.length, bestEpoch, stoppedEarly, test: result, last: history.at(-1) });
    expect(stoppedEarly).toBe(true); // the validation loss levelled off well before 150 epochs
    expect(history.length).toBe(bestEpoch! + 1 + 10);
    // The restored best weights are the ones validated at the best epoch.
    expect(evaluate(model, new DataLoader(valSet, { batchSize: 256 }), { loss: crossEntropy }).loss).toBeCloseTo(history[bestEpoch!]!.valLoss!, 6);
    expect(result.samples).toBe(testSet.length);
    expect(result.accuracy).toBeGreaterThanOrEqual(0.9);
  });
});
