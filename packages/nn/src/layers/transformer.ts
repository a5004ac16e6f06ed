// Stacks of Transformer layers: `numLayers` independent copies of a template layer, then an
// optional final norm, as torch.nn.TransformerEncoder / TransformerDecoder (names `layers.0...`, `norm`).
import type { Tensor } from '@tapegrad/autograd';
import { Module } from '../module.js';
import { BufferTensor, Parameter } from '../parameter.js';
import { ModuleList } from './containers.js';
import { checkInt, checkOptions } from './options.js';
import type { TransformerDecoderForwardOptions, TransformerDecoderLayer, TransformerEncoderLayer } from './transformer-layers.js';
import { checkTensor, fail } from '@tapegrad/autograd';

/**
 * A deep copy of a module: same class and settings, parameters and buffers copied to new storage
 * (PyTorch's `copy.deepcopy` of a module). Modules holding JS `#private` fields cannot be copied.
 */
export function cloneModule<M extends Module>(m: M): M {
  const seen = new Map<unknown, unknown>();
  const copy = (v: unknown): unknown => {
    if (seen.has(v)) return seen.get(v);
    let out: unknown;
    if (v instanceof Parameter) out = new Parameter(v.detach().clone(), v.requiresGrad);
    else if (v instanceof BufferTensor) out = new BufferTensor(v.detach().clone());
    else if (v instanceof Module) {
      const o = Object.create(Object.getPrototypeOf(v) as object) as Record<string, unknown>;
      seen.set(v, o);
      for (const key of Object.keys(v)) o[key] = copy((v as unknown as Record<string, unknown>)[key]);
      return o;
    } else if (Array.isArray(v)) {
      const arr: unknown[] = [];
      seen.set(v, arr);
      v.forEach((x) => arr.push(copy(x)));
      return arr;
    } else return v; // numbers, strings, options, generators: shared, as settings are
    seen.set(v, out);
    return out;
  };
  return copy(m) as M;
}

/**
 * Options of {@link TransformerEncoder} and {@link TransformerDecoder}.
 *
 * @example
 * ```ts
 * new TransformerEncoder(layer, 6, { norm: new LayerNorm(512) });
 * ```
 * @category Layers
 */
export interface TransformerStackOptions {
  /** Applied to the output of the last layer (e.g. a LayerNorm with pre-norm layers), or `null`. */
  norm?: Module<[Tensor], Tensor> | null;
}

/**
 * Masks of {@link TransformerEncoder.forward}, passed to every layer.
 *
 * @example
 * ```ts
 * encoder.forward(x, { isCausal: true });
 * ```
 * @category Layers
 */
export interface TransformerEncoderStackForwardOptions {
  /** Attention mask `[L, L]` or `[N·nhead, L, L]`. */
  mask?: Tensor | null;
  /** `[N, L]` padding positions to ignore. */
  srcKeyPaddingMask?: Tensor | null;
  /** Attend causally (used when `mask` is not given). */
  isCausal?: boolean;
}

/**
 * `numLayers` copies of `encoderLayer` applied in turn (each copy has its own parameters, starting
 * from the template's values), then `norm` if given.
 *
 * @example
 * ```ts
 * const layer = new TransformerEncoderLayer(32, 4, { dimFeedforward: 64, batchFirst: true });
 * const encoder = new TransformerEncoder(layer, 2);
 * encoder.forward(randn([2, 10, 32])).shape; // [2, 10, 32]
 * ```
 * @category Layers
 */
export class TransformerEncoder extends Module<[Tensor, TransformerEncoderStackForwardOptions?], Tensor> {
  /** The layers, `layers.0` … */
  layers: ModuleList<TransformerEncoderLayer>;
  /** Final norm, or `null`. */
  norm: Module<[Tensor], Tensor> | null;

  /** A stack of `numLayers` copies of `encoderLayer`. */
  constructor(encoderLayer: TransformerEncoderLayer, numLayers: number, options: TransformerStackOptions = {}) {
    super();
    checkOptions('TransformerEncoder', options, ['norm']);
    if (!(encoderLayer instanceof Module)) fail('TransformerEncoder', 'encoderLayer must be a Module', encoderLayer, 'a TransformerEncoderLayer');
    checkInt('TransformerEncoder', 'numLayers', numLayers);
    if (options.norm !== undefined && options.norm !== null && !(options.norm instanceof Module)) fail('TransformerEncoder', 'norm must be a Module', options.norm, 'a Module such as LayerNorm, or null');
    this.layers = new ModuleList(Array.from({ length: numLayers }, () => cloneModule(encoderLayer)));
    this.norm = options.norm ?? null;
  }

  /** Runs `src` through every layer with the same masks. */
  forward(src: Tensor, options: TransformerEncoderStackForwardOptions = {}): Tensor {
    checkTensor('TransformerEncoder', 'src', src);
    checkOptions('TransformerEncoder', options, ['mask', 'srcKeyPaddingMask', 'isCausal']);
    let x = src;
    for (const layer of this.layers) x = layer.forward(x, { srcMask: options.mask, srcKeyPaddingMask: options.srcKeyPaddingMask, isCausal: options.isCausal });
    return this.norm ? this.norm.forward(x) : x;
  }
}

/**
 * `numLayers` copies of `decoderLayer` applied in turn to the target, each attending to `memory`,
 * then `norm` if given.
 *
 * @example
 * ```ts
 * const decoder = new TransformerDecoder(new TransformerDecoderLayer(32, 4, { batchFirst: true }), 2);
 * decoder.forward(randn([2, 7, 32]), randn([2, 10, 32])).shape; // [2, 7, 32]
 * ```
 * @category Layers
 */
export class TransformerDecoder extends Module<[Tensor, Tensor, TransformerDecoderForwardOptions?], Tensor> {
  /** The layers, `layers.0` … */
  layers: ModuleList<TransformerDecoderLayer>;
  /** Final norm, or `null`. */
  norm: Module<[Tensor], Tensor> | null;

  /** A stack of `numLayers` copies of `decoderLayer`. */
  constructor(decoderLayer: TransformerDecoderLayer, numLayers: number, options: TransformerStackOptions = {}) {
    super();
    checkOptions('TransformerDecoder', options, ['norm']);
    if (!(decoderLayer instanceof Module)) fail('TransformerDecoder', 'decoderLayer must be a Module', decoderLayer, 'a TransformerDecoderLayer');
    checkInt('TransformerDecoder', 'numLayers', numLayers);
    if (options.norm !== undefined && options.norm !== null && !(options.norm instanceof Module)) fail('TransformerDecoder', 'norm must be a Module', options.norm, 'a Module such as LayerNorm, or null');
    this.layers = new ModuleList(Array.from({ length: numLayers }, () => cloneModule(decoderLayer)));
    this.norm = options.norm ?? null;
  }

  /** Runs `tgt` through every layer with the same memory and masks. */
  forward(tgt: Tensor, memory: Tensor, options: TransformerDecoderForwardOptions = {}): Tensor {
    checkTensor('TransformerDecoder', 'tgt', tgt);
    checkTensor('TransformerDecoder', 'memory', memory);
    let x = tgt;
    for (const layer of this.layers) x = layer.forward(x, memory, options);
    return this.norm ? this.norm.forward(x) : x;
  }
}
