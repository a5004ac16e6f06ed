// Multi-layer, optionally bidirectional RNN / LSTM / GRU with PyTorch's arguments and parameter
// names (weight_ih_l0, weight_hh_l0, bias_ih_l0, bias_hh_l0, weight_hr_l0 with an LSTM's projSize, `_reverse` for the backward direction),
// so a torch state dict loads by name. Variable-length batches take `lengths`, with the results
// of a packed sequence: padding steps leave the state alone and give zero outputs.
import { describeValue } from '@tapegrad/autograd';
import { concat, stack, zeros, type Tensor } from '@tapegrad/autograd';
import { Module } from '../module.js';
import type { Parameter } from '../parameter.js';
import { fmtShape, pyBool, pyFloat, shortName } from '../format.js';
import { checkDType, checkInt, checkOptions, type LayerOptions } from './options.js';
import { dropoutOf } from './attention.js';
import { gatesOf, recurrentParameter, recurrentStep, type RecurrentMode } from './rnn-cells.js';
import { stepMasks } from './rnn-lengths.js';

/**
 * Options of {@link RNN}, {@link LSTM} and {@link GRU} (defaults as PyTorch).
 *
 * @example
 * ```ts
 * new LSTM(16, 32, { numLayers: 2, bidirectional: true, batchFirst: true, dropout: 0.1 });
 * ```
 * @category Recurrent layers
 */
export interface RecurrentOptions extends LayerOptions {
  /** Stacked layers, each reading the previous one's outputs (default 1). */
  numLayers?: number;
  /** Learn `bias_ih_l*` and `bias_hh_l*` (default `true`). */
  bias?: boolean;
  /** `[batch, seq, feature]` input and output instead of `[seq, batch, feature]` (default `false`). */
  batchFirst?: boolean;
  /** Dropout on the outputs of every layer but the last, in training (default 0). */
  dropout?: number;
  /** Run a second pass from the end of each sequence; outputs concatenate both (default `false`). */
  bidirectional?: boolean;
}

/**
 * Options of {@link RNN}: those of every recurrent layer plus the nonlinearity.
 *
 * @example
 * ```ts
 * new RNN(4, 8, { nonlinearity: 'relu' });
 * ```
 * @category Recurrent layers
 */
export interface RNNOptions extends RecurrentOptions {
  /** `'tanh'` (default) or `'relu'`. */
  nonlinearity?: 'tanh' | 'relu';
}

/**
 * Options of a recurrent layer's forward.
 *
 * @example
 * ```ts
 * gru.forward(padded, undefined, { lengths: [5, 3, 2] });
 * ```
 * @category Recurrent layers
 */
export interface RecurrentForwardOptions {
  /** Valid steps of each sequence of the batch (PyTorch's packed sequences): 1..seq each. */
  lengths?: readonly number[] | Tensor;
}

/**
 * Options of {@link LSTM}: those of every recurrent layer plus the projection of the hidden state.
 *
 * @example
 * ```ts
 * new LSTM(16, 64, { projSize: 32 }); // h is 32 wide, c 64
 * ```
 * @category Recurrent layers
 */
export interface LSTMOptions extends RecurrentOptions {
  /**
   * With projSize > 0 (and < hiddenSize), h_t = W_hr·(o_t ∘ tanh(c_t)) has projSize features:
   * parameters `weight_hr_l{k}` `[projSize, hiddenSize]`, and h0/h_n/outputs use projSize (PyTorch's
   * LSTM with projections). Default 0: no projection.
   */
  projSize?: number;
}

const OPTIONS = ['dtype', 'generator', 'numLayers', 'bias', 'batchFirst', 'dropout', 'bidirectional'];

/** The shared machinery; the state type is a tensor (RNN, GRU) or an `[h, c]` pair (LSTM). */
abstract class RecurrentBase<State> extends Module<[Tensor, State?, RecurrentForwardOptions?], [Tensor, State]> {
  /** Features of the input. */
  readonly inputSize: number;
  /** Features of each direction's hidden state. */
  readonly hiddenSize: number;
  /** Stacked layers. */
  readonly numLayers: number;
  /** Layout of input and output. */
  readonly batchFirst: boolean;
  /** Dropout between layers. */
  readonly dropout: number;
  /** Whether there is a reverse direction. */
  readonly bidirectional: boolean;
  /** Whether the layer has biases. */
  readonly bias: boolean;
  /** Source of the dropout masks between layers. */
  readonly generator: LayerOptions['generator'];
  /** Features of the projected hidden state (LSTM only; 0 = no projection). */
  readonly projSize: number;

  protected constructor(readonly mode: RecurrentMode, inputSize: number, hiddenSize: number, options: RNNOptions & LSTMOptions, extra: string[] = []) {
    super();
    const name = new.target.name;
    checkOptions(name, options, [...OPTIONS, ...extra]);
    this.inputSize = checkInt(name, 'inputSize', inputSize, 0);
    this.hiddenSize = checkInt(name, 'hiddenSize', hiddenSize);
    this.numLayers = checkInt(name, 'numLayers', options.numLayers ?? 1);
    const { bias = true, batchFirst = false, dropout = 0, bidirectional = false } = options;
    if (typeof dropout !== 'number' || !(dropout >= 0 && dropout <= 1)) throw new Error(`${name}: dropout must be a probability in [0, 1], got ${dropout}`);
    this.bias = bias;
    this.batchFirst = batchFirst;
    this.dropout = dropout;
    this.bidirectional = bidirectional;
    this.generator = options.generator;
    this.projSize = checkInt(name, 'projSize', options.projSize ?? 0, 0);
    if (this.projSize >= hiddenSize) throw new Error(`${name}: projSize must be smaller than hiddenSize (got ${this.projSize} and ${hiddenSize})`);
    const G = gatesOf(mode) * hiddenSize;
    const out = this.outSize;
    const self = this as unknown as Record<string, Parameter>;
    for (let layer = 0; layer < this.numLayers; layer++) {
      const width = layer === 0 ? inputSize : out * this.directions;
      for (const suffix of this.suffixes()) {
        self[`weight_ih_l${layer}${suffix}`] = recurrentParameter([G, width], hiddenSize, options);
        self[`weight_hh_l${layer}${suffix}`] = recurrentParameter([G, out], hiddenSize, options);
        if (bias) {
          self[`bias_ih_l${layer}${suffix}`] = recurrentParameter([G], hiddenSize, options);
          self[`bias_hh_l${layer}${suffix}`] = recurrentParameter([G], hiddenSize, options);
        }
        if (this.projSize > 0) self[`weight_hr_l${layer}${suffix}`] = recurrentParameter([this.projSize, hiddenSize], hiddenSize, options);
      }
    }
  }

  /** Features of h and of each direction's outputs: projSize when projecting, else hiddenSize. */
  get outSize(): number {
    return this.projSize > 0 ? this.projSize : this.hiddenSize;
  }

  /** 2 when bidirectional, else 1. */
  get directions(): number {
    return this.bidirectional ? 2 : 1;
  }

  private suffixes(): string[] {
    return this.bidirectional ? ['', '_reverse'] : [''];
  }

  private param(name: string): Parameter | null {
    return (this as unknown as Record<string, Parameter | undefined>)[name] ?? null;
  }

  /**
   * Runs every layer and direction over `x` `[L, N, I]`; `h0`/`c0` are `[layers·dirs, N, H]`.
   * Returns the last layer's outputs `[L, N, dirs·H]` and the final states.
   */
  protected run(input: Tensor, h0: Tensor | undefined, c0: Tensor | undefined, options: RecurrentForwardOptions): { out: Tensor; hn: Tensor; cn: Tensor | null; unbatched: boolean } {
    const name = shortName(this);
    checkOptions(name, options, ['lengths']);
    const unbatched = input.ndim === 2;
    if ((input.ndim !== 2 && input.ndim !== 3) || input.shape[input.ndim - 1] !== this.inputSize) {
      const layout = this.batchFirst ? '[batch, seq, feature]' : '[seq, batch, feature]';
      throw new Error(`${name}: expected input ${layout} or [seq, feature] with ${this.inputSize} features, got ${fmtShape(input.shape)}`);
    }
    checkDType(name, input, this.param('weight_ih_l0'));
    let x = unbatched ? input.unsqueeze(1) : this.batchFirst ? input.transpose(0, 1) : input;
    const [L, N] = x.shape as [number, number];
    const D = this.directions;
    const stateOf = (s: Tensor | undefined, what: string, H: number) => {
      const stateShape = unbatched ? [this.numLayers * D, H] : [this.numLayers * D, N, H];
      if (!s) return zeros([this.numLayers * D, N, H], { dtype: x.dtype });
      if (fmtShape(s.shape) !== fmtShape(stateShape)) throw new Error(`${name}: ${what} must be ${fmtShape(stateShape)} (layers·directions, batch, ${what === 'c0' || this.projSize === 0 ? 'hidden' : 'projSize'}), got ${fmtShape(s.shape)}`);
      return unbatched ? s.unsqueeze(1) : s;
    };
    const h = stateOf(h0, this.mode === 'LSTM' ? 'h0' : 'hx', this.outSize);
    const c = this.mode === 'LSTM' ? stateOf(c0, 'c0', this.hiddenSize) : null;
    const masks = options.lengths === undefined ? null : stepMasks(name, options.lengths, L, N, x.dtype);
    const hn: Tensor[] = [], cn: Tensor[] = [];
    for (let layer = 0; layer < this.numLayers; layer++) {
      const outs: Tensor[] = [];
      this.suffixes().forEach((suffix, dir) => {
        const k = layer * D + dir;
        const wih = this.param(`weight_ih_l${layer}${suffix}`)!, whh = this.param(`weight_hh_l${layer}${suffix}`)!;
        const bih = this.param(`bias_ih_l${layer}${suffix}`), bhh = this.param(`bias_hh_l${layer}${suffix}`);
        const whr = this.param(`weight_hr_l${layer}${suffix}`);
        // Every step's input projection in one product: [L, N, G·H].
        let xi = x.matmul(wih.transpose(0, 1));
        if (bih) xi = xi.add(bih);
        let hs = h.slice(k), cs = c ? c.slice(k) : null;
        const steps: Tensor[] = new Array<Tensor>(L);
        for (let i = 0; i < L; i++) {
          const t = dir === 0 ? i : L - 1 - i;
          let [h2, c2] = recurrentStep(this.mode, xi.slice(t), hs, cs, whh, bhh);
          if (whr) h2 = h2.matmul(whr.transpose(0, 1)); // the projection: h_t = W_hr·(o ∘ tanh(c_t))
          if (masks) {
            const m = masks[t]!; // [N, 1]: 1 on valid steps; padding keeps the state and outputs 0
            steps[t] = h2.mul(m);
            hs = steps[t]!.add(hs.sub(hs.mul(m)));
            if (cs) cs = c2!.mul(m).add(cs.sub(cs.mul(m)));
          } else {
            steps[t] = h2;
            hs = h2;
            cs = c2;
          }
        }
        outs.push(stack(steps, 0));
        hn.push(hs);
        if (cs) cn.push(cs);
      });
      x = D === 2 ? concat(outs, 2) : outs[0]!;
      if (layer < this.numLayers - 1 && this.training && this.dropout > 0) x = dropoutOf(x, this.dropout, this.generator);
    }
    const out = unbatched ? x.squeeze(1) : this.batchFirst ? x.transpose(0, 1) : x;
    const finish = (s: Tensor[]) => (unbatched ? stack(s, 0).squeeze(1) : stack(s, 0));
    return { out, hn: finish(hn), cn: c ? finish(cn) : null, unbatched };
  }

  /** `4, 8, num_layers=2, batch_first=True, dropout=0.1, bidirectional=True` (non-defaults only). */
  override extraRepr(): string {
    let s = `${this.inputSize}, ${this.hiddenSize}`;
    if (this.projSize !== 0) s += `, proj_size=${this.projSize}`;
    if (this.numLayers !== 1) s += `, num_layers=${this.numLayers}`;
    if (!this.bias) s += `, bias=${pyBool(false)}`;
    if (this.batchFirst) s += `, batch_first=${pyBool(true)}`;
    if (this.dropout !== 0) s += `, dropout=${pyFloat(this.dropout)}`;
    if (this.bidirectional) s += `, bidirectional=${pyBool(true)}`;
    return s;
  }
}

/**
 * A multi-layer Elman RNN: h_t = tanh(x_t·W_ihᵀ + b_ih + h_{t−1}·W_hhᵀ + b_hh) (or ReLU).
 * `forward(x, h0?, { lengths })` returns `[output, h_n]`: output `[L, N, D·H]` (`[N, L, D·H]`
 * with batchFirst), h_n `[numLayers·D, N, H]`, D = 2 when bidirectional.
 *
 * @example
 * ```ts
 * const rnn = new RNN(4, 8, { numLayers: 2 });
 * const [out, hn] = rnn.forward(randn([5, 3, 4]));
 * [out.shape, hn.shape]; // [[5, 3, 8], [2, 3, 8]]
 * ```
 * @category Recurrent layers
 */
export class RNN extends RecurrentBase<Tensor> {
  /** The nonlinearity. */
  readonly nonlinearity: 'tanh' | 'relu';

  /** An RNN from `inputSize` features to `hiddenSize` states. */
  constructor(inputSize: number, hiddenSize: number, options: RNNOptions = {}) {
    const nl = options.nonlinearity ?? 'tanh';
    if (nl !== 'tanh' && nl !== 'relu') throw new Error(`RNN: nonlinearity must be 'tanh' or 'relu', got ${describeValue(nl)}`);
    super(nl === 'tanh' ? 'RNN_TANH' : 'RNN_RELU', inputSize, hiddenSize, options, ['nonlinearity']);
    this.nonlinearity = nl;
  }

  /** `[output, h_n]`. */
  forward(input: Tensor, hx?: Tensor, options: RecurrentForwardOptions = {}): [Tensor, Tensor] {
    const r = this.run(input, hx, undefined, options);
    return [r.out, r.hn];
  }
}

/**
 * A multi-layer LSTM (gate order i, f, g, o as PyTorch). `forward(x, [h0, c0]?, { lengths })`
 * returns `[output, [h_n, c_n]]` with the shapes of {@link RNN}; with `projSize` the hidden state,
 * h0/h_n and the outputs have projSize features (c keeps hiddenSize).
 *
 * @example
 * ```ts
 * const lstm = new LSTM(4, 8, { batchFirst: true, bidirectional: true });
 * const [out, [hn, cn]] = lstm.forward(randn([3, 5, 4]));
 * [out.shape, hn.shape, cn.shape]; // [[3, 5, 16], [2, 3, 8], [2, 3, 8]]
 * const projected = new LSTM(4, 8, { projSize: 3 });
 * projected.forward(randn([5, 2, 4]))[0].shape; // [5, 2, 3]
 * ```
 * @category Recurrent layers
 */
export class LSTM extends RecurrentBase<[Tensor, Tensor]> {
  /** An LSTM from `inputSize` features to `hiddenSize` states (projected to `projSize` if given). */
  constructor(inputSize: number, hiddenSize: number, options: LSTMOptions = {}) {
    super('LSTM', inputSize, hiddenSize, options, ['projSize']);
  }

  /** `[output, [h_n, c_n]]`. */
  forward(input: Tensor, hx?: [Tensor, Tensor], options: RecurrentForwardOptions = {}): [Tensor, [Tensor, Tensor]] {
    const r = this.run(input, hx?.[0], hx?.[1], options);
    return [r.out, [r.hn, r.cn!]];
  }
}

/**
 * A multi-layer GRU (gate order r, z, n as PyTorch). `forward(x, h0?, { lengths })` returns
 * `[output, h_n]` with the shapes of {@link RNN}.
 *
 * @example
 * ```ts
 * const gru = new GRU(4, 8);
 * const [out, hn] = gru.forward(randn([5, 3, 4]), undefined, { lengths: [5, 2, 4] });
 * out.shape; // [5, 3, 8]
 * ```
 * @category Recurrent layers
 */
export class GRU extends RecurrentBase<Tensor> {
  /** A GRU from `inputSize` features to `hiddenSize` states. */
  constructor(inputSize: number, hiddenSize: number, options: RecurrentOptions = {}) {
    super('GRU', inputSize, hiddenSize, options);
  }

  /** `[output, h_n]`. */
  forward(input: Tensor, hx?: Tensor, options: RecurrentForwardOptions = {}): [Tensor, Tensor] {
    const r = this.run(input, hx, undefined, options);
    return [r.out, r.hn];
  }
}
