// The Node entry points from a user's project: weights, tensor files and checkpoints on disk,
// CSV from a file. Compiled with @types/node (these entry points need it) and run with plain node.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randn } from '@tapegrad/autograd';
import { loadTensors, saveTensors } from '@tapegrad/autograd/node';
import { readCsv } from '@tapegrad/data/node';
import { Linear } from '@tapegrad/nn';
import { loadModel, saveModel } from '@tapegrad/nn/node';
import { SGD } from '@tapegrad/optim';
import { loadCheckpoint, saveCheckpoint } from '@tapegrad/train/node';

const dir = mkdtempSync(join(tmpdir(), 'tapegrad-consumer-files-'));
const w = randn([3, 2]);
saveTensors(join(dir, 'w.tg'), { w });
const same = String(loadTensors(join(dir, 'w.tg')).tensors.w) === String(w);

const model = new Linear(2, 1);
saveModel(model, join(dir, 'model.tg'), { note: 'hi' });
const { meta } = loadModel(new Linear(2, 1), join(dir, 'model.tg'));

saveCheckpoint(join(dir, 'ckpt', 'last.tg'), { model, optimizer: new SGD(model.parameters(), { lr: 0.1 }) }, { epoch: 3 });
const fresh = new Linear(2, 1);
const { epoch } = loadCheckpoint(join(dir, 'ckpt', 'last.tg'), { model: fresh, optimizer: new SGD(fresh.parameters(), { lr: 0.1 }) });

writeFileSync(join(dir, 'a.csv'), 'x,y\n1,2\n3,4\n');
const rows = readCsv(join(dir, 'a.csv')).numRows;

const ok = same && JSON.stringify(meta) === '{"note":"hi"}' && epoch === 3 && rows === 2;
console.log(`tapegrad node entry points: ${ok ? 'ok' : 'FAILED'} (tensors ${same}, meta ${JSON.stringify(meta)}, epoch ${epoch}, rows ${rows})`);
if (!ok) process.exitCode = 1;
