// One step of the Elman RNN, LSTM and GRU, as PyTorch defines them (gate order i,f,g,o for the
// LSTM and r,z,n for the GRU), and the Cell modules built on them. The multi-layer modules in
// rnn.ts run the same steps, with the input projection of every time step done as one matmul.
import { describeValue } from '@tapegrad/autograd';
import { zeros, type Tensor } from '@tapegrad/autograd';
import { Module } from '../module.js';
import { Parameter } from '../parameter.js';
import * as init from '../init.js';
import { fmtShape, pyBool, shortName } from '../format.js';
import { checkDType, checkInt, checkOptions, type LayerOptions } from './options.js';

/**
 * The recurrent cell kinds: Elman RNN with tanh or ReLU, LSTM and GRU.
 *
 * @example
 * ```ts
 * const mode: RecurrentMode = 'LSTM';
 * ```
 * @category Recurrent layers
 */
export type RecurrentMode = 'RNN_TANH' | 'RNN_RELU' | 'LSTM' | 'GRU';

/** Gates per mode: rows of weight_ih are [gates·hiddenSize]. */
export const gatesOf = (mode: RecurrentMode): number => (mode === 'LSTM' ? 4 : mode === 'GRU' ? 3 : 1);

/** A fresh U(−1/√hiddenSize, 1/√hiddenSize) parameter, PyTorch's init for every recurrent weight. */
export function recurrentParameter(shape: number[], hiddenSize: number, options: LayerOptions): Parameter {
  const k = 1 / Math.sqrt(hiddenSize);
  return init.uniform(new Parameter(zeros(shape, { dtype: options.dtype })), { low: -k, high: k, generator: options.generator });
}

/**
 * One step from the input projection `xi` = x·W_ihᵀ + b_ih (`[N, G·H]`) and the state; returns
 * the new hidden state and, for the LSTM, the new cell state.
 */
export function recurrentStep(mode: RecurrentMode, xi: Tensor, h: Tensor, c: Tensor | null, whh: Tensor, bhh: Tensor | null): [Tensor, Tensor | null] {
  let hh = h.matmul(whh.transpose(0, 1));
  if (bhh) hh = hh.add(bhh);
  const H = whh.shape[0]! / gatesOf(mode); // not h's width: an LSTM with projections has a narrower h
  const part = (t: Tensor, k: number) => t.slice(null, [k * H, (k + 1) * H]);
  if (mode === 'RNN_TANH') return [xi.add(hh).tanh(), null];
  if (mode === 'RNN_RELU') return [xi.add(hh).relu(), null];
  if (mode === 'LSTM') {
    const gates = xi.add(hh);
    const [i, f, g, o] = [part(gates, 0).sigmoid(), part(gates, 1).sigmoid(), part(gates, 2).tanh(), part(gates, 3).sigmoid()];
    const c2 = f.mul(c!).add(i.mul(g));
    return [o.mul(c2.tanh()), c2];
  }
  // GRU: the reset gate scales the recurrent part of the candidate, bias included (PyTorch's form).
  const r = part(xi, 0).add(part(hh, 0)).sigmoid();
  const z = part(xi, 1).add(part(hh, 1)).sigmoid();
  const n = part(xi, 2).add(r.mul(part(hh, 2))).tanh();
  return [n.sub(z.mul(n)).add(z.mul(h)), null];
}

/**
 * Options of the recurrent cells (defaults as PyTorch).
 *
 * @example
 * ```ts
 * new GRUCell(8, 16, { bias: false, dtype: 'float64' });
 * ```
 * @category Recurrent layers
 */
export interface RNNCellOptions extends LayerOptions {
  /** Learn `bias_ih` and `bias_hh` (default `true`). */
  bias?: boolean;
}

/** Fields and checks shared by the three cells. */
abstract class CellBase<Out> extends Module<[Tensor, Out?], Out> {
  /** Features of the input. */
  readonly inputSize: number;
  /** Features of the hidden state. */
  readonly hiddenSize: number;
  /** `[gates·hiddenSize, inputSize]`. */
  weight_ih: Parameter;
  /** `[gates·hiddenSize, hiddenSize]`. */
  weight_hh: Parameter;
  /** `[gates·hiddenSize]`, or `null` without bias. */
  bias_ih: Parameter | null;
  /** `[gates·hiddenSize]`, or `null` without bias. */
  bias_hh: Parameter | null;

  protected constructor(readonly mode: RecurrentMode, inputSize: number, hiddenSize: number, options: RNNCellOptions, extra: readonly string[] = []) {
    super();
    const name = new.target.name;
    checkOptions(name, options, ['dtype', 'generator', 'bias', ...extra]);
    this.inputSize = checkInt(name, 'inputSize', inputSize, 0);
    this.hiddenSize = checkInt(name, 'hiddenSize', hiddenSize);
    const G = gatesOf(mode) * hiddenSize;
    this.weight_ih = recurrentParameter([G, inputSize], hiddenSize, options);
    this.weight_hh = recurrentParameter([G, hiddenSize], hiddenSize, options);
    const bias = options.bias ?? true;
    this.bias_ih = bias ? recurrentParameter([G], hiddenSize, options) : null;
    this.bias_hh = bias ? recurrentParameter([G], hiddenSize, options) : null;
  }

  /** The input as `[N, inputSize]` and whether it came unbatched. */
  protected batchedInput(x: Tensor): [Tensor, boolean] {
    if ((x.ndim !== 1 && x.ndim !== 2) || x.shape[x.ndim - 1] !== this.inputSize) {
      throw new Error(`${shortName(this)}: expected input [N, ${this.inputSize}] or [${this.inputSize}], got ${fmtShape(x.shape)}`);
    }
    checkDType(shortName(this), x, this.weight_ih);
    return x.ndim === 1 ? [x.unsqueeze(0), true] : [x, false];
  }

  /** A state given by the caller as `[N, hiddenSize]` (or `[hiddenSize]` unbatched), or zeros. */
  protected state(s: Tensor | undefined, x: Tensor, unbatched: boolean, what: string): Tensor {
    const N = x.shape[0]!;
    if (!s) return zeros([N, this.hiddenSize], { dtype: x.dtype });
    const want = unbatched ? [this.hiddenSize] : [N, this.hiddenSize];
    if (fmtShape(s.shape) !== fmtShape(want)) throw new Error(`${shortName(this)}: ${what} must be ${fmtShape(want)}, got ${fmtShape(s.shape)}`);
    return unbatched ? s.unsqueeze(0) : s;
  }

  /** x·W_ihᵀ + b_ih. */
  protected inputProjection(x: Tensor): Tensor {
    const xi = x.matmul(this.weight_ih.transpose(0, 1));
    return this.bias_ih ? xi.add(this.bias_ih) : xi;
  }

  /** `8, 16`, plus `bias=False` when off. */
  override extraRepr(): string {
    return `${this.inputSize}, ${this.hiddenSize}${this.bias_ih ? '' : `, bias=${pyBool(false)}`}`;
  }
}

/**
 * Options of {@link RNNCell}.
 *
 * @example
 * ```ts
 * new RNNCell(4, 8, { nonlinearity: 'relu' });
 * ```
 * @category Recurrent layers
 */
export interface ElmanCellOptions extends RNNCellOptions {
  /** `'tanh'` (default) or `'relu'`. */
  nonlinearity?: 'tanh' | 'relu';
}

/**
 * An Elman RNN cell: h' = tanh(x·W_ihᵀ + b_ih + h·W_hhᵀ + b_hh) (or ReLU). Input `[N, inputSize]`
 * (or unbatched), state `[N, hiddenSize]` (zeros when omitted).
 *
 * @example
 * ```ts
 * const cell = new RNNCell(4, 8);
 * cell.forward(randn([3, 4])).shape; // [3, 8]
 * ```
 * @category Recurrent layers
 */
export class RNNCell extends CellBase<Tensor> {
  /** A cell from `inputSize` features to a `hiddenSize` state. */
  constructor(inputSize: number, hiddenSize: number, options: ElmanCellOptions = {}) {
    const nl = options.nonlinearity ?? 'tanh';
    if (nl !== 'tanh' && nl !== 'relu') throw new Error(`RNNCell: nonlinearity must be 'tanh' or 'relu', got ${describeValue(nl)}`);
    super(nl === 'tanh' ? 'RNN_TANH' : 'RNN_RELU', inputSize, hiddenSize, options, ['nonlinearity']);
  }

  /** The next hidden state. */
  forward(input: Tensor, hx?: Tensor): Tensor {
    const [x, unbatched] = this.batchedInput(input);
    const h = this.state(hx, x, unbatched, 'hx');
    const [h2] = recurrentStep(this.mode, this.inputProjection(x), h, null, this.weight_hh, this.bias_hh);
    return unbatched ? h2.squeeze(0) : h2;
  }
}

/**
 * An LSTM cell, PyTorch's gate order i, f, g, o in the rows of the weights:
 * c' = σ(f)·c + σ(i)·tanh(g), h' = σ(o)·tanh(c'). `forward(x, [h, c])` returns `[h', c']`.
 *
 * @example
 * ```ts
 * const cell = new LSTMCell(4, 8);
 * const [h, c] = cell.forward(randn([3, 4]));
 * h.shape; // [3, 8]
 * ```
 * @category Recurrent layers
 */
export class LSTMCell extends CellBase<[Tensor, Tensor]> {
  /** A cell from `inputSize` features to `hiddenSize` hidden and cell states. */
  constructor(inputSize: number, hiddenSize: number, options: RNNCellOptions = {}) {
    super('LSTM', inputSize, hiddenSize, options);
  }

  /** The next `[h, c]`; both states are zeros when omitted. */
  forward(input: Tensor, hx?: [Tensor, Tensor]): [Tensor, Tensor] {
    const [x, unbatched] = this.batchedInput(input);
    const h = this.state(hx?.[0], x, unbatched, 'h');
    const c = this.state(hx?.[1], x, unbatched, 'c');
    const [h2, c2] = recurrentStep('LSTM', this.inputProjection(x), h, c, this.weight_hh, this.bias_hh);
    return unbatched ? [h2.squeeze(0), c2!.squeeze(0)] : [h2, c2!];
  }
}

/**
 * A GRU cell, PyTorch's gate order r, z, n: r = σ(W_ir·x + b_ir + W_hr·h + b_hr), z likewise,
 * n = tanh(W_in·x + b_in + r·(W_hn·h + b_hn)), h' = (1 − z)·n + z·h.
 *
 * @example
 * ```ts
 * const cell = new GRUCell(4, 8);
 * cell.forward(randn([3, 4])).shape; // [3, 8]
 * ```
 * @category Recurrent layers
 */
export class GRUCell extends CellBase<Tensor> {
  /** A cell from `inputSize` features to a `hiddenSize` state. */
  constructor(inputSize: number, hiddenSize: number, options: RNNCellOptions = {}) {
    super('GRU', inputSize, hiddenSize, options);
  }

  /** The next hidden state. */
  forward(input: Tensor, hx?: Tensor): Tensor {
    const [x, unbatched] = this.batchedInput(input);
    const h = this.state(hx, x, unbatched, 'hx');
    const [h2] = recurrentStep('GRU', this.inputProjection(x), h, null, this.weight_hh, this.bias_hh);
    return unbatched ? h2.squeeze(0) : h2;
  }
}
