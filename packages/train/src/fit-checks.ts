// fit's argument checks, all run before training starts, so a wrong option is reported by fit
// (naming the option) and nothing has changed.
import { describeValue } from '@tapegrad/autograd';
import { ReduceLROnPlateau } from '@tapegrad/optim';
import { FIT_KEYS, checkBatchSource, checkModel, checkOptimizer, checkOptionsArg, ensure, isPlainObject } from './checks.js';
import { EarlyStopping } from './early-stopping.js';
import type { FitOptions } from './fit.js';
import type { TrainableModel } from './types.js';


/** Checks every option of {@link fit}; returns the early stopper (built from its options if given so). */
export function checkFitOptions<M extends TrainableModel>(options: FitOptions<M>): EarlyStopping | undefined {
  checkOptionsArg('fit', options, FIT_KEYS);
  ensure(options !== undefined, 'fit', 'expected an options object { model, optimizer, trainData, epochs, loss, ... } (got undefined)');
  const { model, optimizer, trainData, valData, epochs, loss, metrics, scheduler } = options;
  checkModel('fit', model);
  checkOptimizer('fit', optimizer);
  checkBatchSource('fit', 'trainData', trainData);
  if (valData !== undefined) checkBatchSource('fit', 'valData', valData);
  ensure(Number.isInteger(epochs) && epochs >= 0, 'fit', `epochs must be a non-negative integer, got ${describeValue(epochs)}`);
  ensure(typeof loss === 'function', 'fit', 'loss must be a function (outputs, targets) => scalar tensor');
  ensure(metrics === undefined || isPlainObject(metrics) && Object.values(metrics ?? {}).every((f) => typeof f === 'function'), 'fit',
    `metrics must be an object of functions by name, such as { accuracy } (got ${describeValue(metrics)})`);
  for (const key of ['step', 'onEpochEnd'] as const) {
    const f = options[key];
    ensure(f === undefined || typeof f === 'function', 'fit', `${key} must be a function (got ${describeValue(f)})`);
  }
  ensure(options.monitor === undefined || typeof options.monitor === 'string', 'fit', `monitor must be a history field name such as 'valLoss' (got ${describeValue(options.monitor)})`);
  const p = options.progress;
  ensure(p === undefined || typeof p === 'boolean' || (typeof p === 'object' && p !== null && ['epochStart', 'batchEnd', 'epochEnd', 'close'].every((k) => typeof (p as unknown as Record<string, unknown>)[k] === 'function')),
    'fit', `progress must be true, false or a FitProgress { epochStart, batchEnd, epochEnd, close } (got ${describeValue(p)})`);
  ensure(scheduler === undefined || scheduler instanceof ReduceLROnPlateau || (typeof scheduler === 'object' && scheduler !== null &&
    ['step', 'stateDict', 'loadStateDict'].every((k) => typeof (scheduler as unknown as Record<string, unknown>)[k] === 'function')),
  'fit', `scheduler must be an LR scheduler of @tapegrad/optim (got ${describeValue(scheduler)})`);
  const given = options.earlyStopping;
  ensure(given === undefined || given instanceof EarlyStopping || isPlainObject(given), 'fit',
    `earlyStopping must be an EarlyStopping or its options (got ${describeValue(given)})`);
  let stopper: EarlyStopping | undefined;
  try {
    stopper = given === undefined || given instanceof EarlyStopping ? given : new EarlyStopping(given);
  } catch (e) {
    throw new Error(`fit: earlyStopping: ${(e as Error).message}`);
  }
  const monitor = options.monitor ?? stopper?.monitor ?? (valData ? 'valLoss' : 'trainLoss');
  ensure(valData !== undefined || !monitor.startsWith('val'), 'fit', `the monitored metric '${monitor}' needs valData`);
  const ckpt = options.checkpoint;
  ensure(
    ckpt === undefined ||
      (typeof ckpt === 'object' && ckpt !== null && typeof ckpt.write === 'function' && Object.keys(ckpt).every((k) => ['write', 'last', 'best'].includes(k)) &&
        ['last', 'best'].every((k) => [undefined, true, false].includes((ckpt as unknown as Record<string, unknown>)[k] as boolean | undefined))),
    'fit',
    `checkpoint must be { write, last?, best? } with write(name, bytes); for files in Node use { write: checkpointDir(dir) } from @tapegrad/train/node, got ${typeof ckpt === 'string' ? JSON.stringify(ckpt) : typeof ckpt === 'object' && ckpt !== null ? `{ ${Object.keys(ckpt).join(', ')} }` : String(ckpt)}`,
  );
  ensure(
    options.resume === undefined || options.resume instanceof Uint8Array,
    'fit',
    `resume must be the checkpoint's bytes (a Uint8Array; in Node readCheckpoint(path) from @tapegrad/train/node reads them), got ${typeof options.resume === 'string' ? JSON.stringify(options.resume) : String(options.resume)}`,
  );
  return stopper;
}
