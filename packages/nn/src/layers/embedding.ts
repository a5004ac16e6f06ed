// Embedding: a lookup table of learned vectors indexed by integer ids.
import { defineOp, noGrad, randn, where, type Tensor, checkTensor } from '@tapegrad/autograd';
import { Module } from '../module.js';
import { Parameter } from '../parameter.js';
import { fmtShape, shortName } from '../format.js';
import { checkInt, checkOptions, type LayerOptions } from './options.js';

/**
 * Options of {@link Embedding}.
 *
 * @example
 * ```ts
 * new Embedding(1000, 64, { paddingIdx: 0 });
 * ```
 * @category Layers
 */
export interface EmbeddingOptions extends LayerOptions {
  /** An id whose vector starts at zero and receives no gradient (negative counts from the end). */
  paddingIdx?: number;
}

// The ids' check as an op, so that under vmap (different ids per example) it sees every example.
const checkedIds = defineOp({
  name: 'embeddingIds',
  acceptsIntegers: true,
  forward: (ids: Tensor, numEmbeddings: number, layer: string) => {
    const values = ids.contiguousData();
    const bad = values.findIndex((v) => !Number.isInteger(v) || v < 0 || v >= numEmbeddings);
    if (bad >= 0) {
      throw new Error(`${layer}: id ${values[bad]} at flat position ${bad} of ids with shape ${fmtShape(ids.shape)} is not an integer in 0..${numEmbeddings - 1}`);
    }
    return ids; // defineOp hands back a fresh tensor on the same storage
  },
  vjp: () => [null, null, null],
  jvp: () => null,
  batch: ([ids, numEmbeddings, layer], [d], { op }) => [op(ids, numEmbeddings, layer), d],
});

/**
 * Maps integer ids (an int32 tensor of any shape; integer-valued float ids still work but are deprecated) to rows of `weight`
 * `[numEmbeddings, embeddingDim]`, initialized from N(0, 1) as PyTorch. Output: `[...ids.shape, embeddingDim]`.
 *
 * @example
 * ```ts
 * const emb = new Embedding(10, 3);
 * emb.forward(tensor([[1, 2], [4, 9]], { dtype: 'int32' })).shape; // [2, 2, 3]
 * ```
 * @category Layers
 */
export class Embedding extends Module<[Tensor], Tensor> {
  /** Number of ids (rows of the table). */
  readonly numEmbeddings: number;
  /** Size of each vector. */
  readonly embeddingDim: number;
  /** The id whose row gets no gradient, normalized to be non-negative, or `null`. */
  readonly paddingIdx: number | null;
  /** The table, `[numEmbeddings, embeddingDim]`. */
  weight: Parameter;

  /** A table of `numEmbeddings` vectors of size `embeddingDim`. */
  constructor(numEmbeddings: number, embeddingDim: number, options: EmbeddingOptions = {}) {
    super();
    checkOptions('Embedding', options, ['paddingIdx', 'dtype', 'generator']);
    this.numEmbeddings = checkInt('Embedding', 'numEmbeddings', numEmbeddings);
    this.embeddingDim = checkInt('Embedding', 'embeddingDim', embeddingDim);
    const pad = options.paddingIdx;
    if (pad !== undefined && !(Number.isInteger(pad) && pad >= -numEmbeddings && pad < numEmbeddings)) {
      throw new Error(`Embedding: paddingIdx must be an integer in -${numEmbeddings}..${numEmbeddings - 1}, got ${pad}`);
    }
    this.paddingIdx = pad === undefined ? null : pad < 0 ? pad + numEmbeddings : pad;
    this.weight = new Parameter(randn([numEmbeddings, embeddingDim], { dtype: options.dtype, generator: options.generator }));
    if (this.paddingIdx !== null) {
      const row = this.paddingIdx;
      noGrad(() => this.weight.slice([row, row + 1]).zero_());
    }
  }

  /** The vectors of `ids`: shape `[...ids.shape, embeddingDim]`. */
  forward(ids: Tensor): Tensor {
    checkTensor('Embedding', 'ids', ids);
    const rows = this.weight.indexSelect(0, checkedIds(ids, this.numEmbeddings, shortName(this)).reshape([ids.size])).reshape([...ids.shape, this.embeddingDim]);
    if (this.paddingIdx === null) return rows;
    // The padding row is read as is but passes no gradient back to the table.
    const isPad = ids.eq(this.paddingIdx).unsqueeze(-1);
    return where(isPad, rows.detach(), rows);
  }

  /** `10, 3`, plus `padding_idx=0` when set. */
  override extraRepr(): string {
    return `${this.numEmbeddings}, ${this.embeddingDim}${this.paddingIdx === null ? '' : `, padding_idx=${this.paddingIdx}`}`;
  }
}
