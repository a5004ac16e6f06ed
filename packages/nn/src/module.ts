// Module: the base of every layer and model. It finds its parameters, buffers and submodules by
// walking its own fields (and arrays of them), so a subclass declares fields and writes `forward`;
// there is no registration call to forget. JS `#private` fields are invisible to the walk, which
// is the way to hold a reference to a module that is not a child.
import type { DType, Tensor } from '@tapegrad/autograd';
import { BufferTensor, Parameter } from './parameter.js';
import { join, namedOfKind, ownSlots, tensorSlots } from './slots.js';
import { formatModule } from './format.js';
import { convertSlots } from './convert.js';
import { loadState, type LoadStateDictOptions, type LoadStateDictResult } from './state-dict.js';

// The `any` defaults of In/Out let containers hold modules of any signature, as torch.nn.Module does.
/**
 * Base class of layers and models. Declare parameters ({@link Parameter}), buffers
 * ({@link BufferTensor}) and submodules as fields, or arrays of them, and implement `forward`;
 * call a module with `model.forward(x)`. Everything else (`parameters()`, dotted names,
 * `train()`/`eval()`, `stateDict()`, printing) comes from walking those fields.
 *
 * @typeParam In - the argument types of `forward`.
 * @typeParam Out - what `forward` returns.
 * @example
 * ```ts
 * class Mlp extends Module<[Tensor], Tensor> {
 *   hidden = new Linear(2, 8);
 *   out = new Linear(8, 1);
 *   forward(x: Tensor) { return this.out.forward(this.hidden.forward(x).tanh()); }
 * }
 * const model = new Mlp();
 * model.namedParameters().map(([name]) => name); // ['hidden.weight', 'hidden.bias', 'out.weight', 'out.bias']
 * ```
 * @category Module
 */
export abstract class Module<In extends unknown[] = any[], Out = any> {
  /** True in training mode (the default); layers such as Dropout and BatchNorm read it. */
  training = true;

  /** The computation; this is the method you call (`model.forward(x)`). */
  abstract forward(...inputs: In): Out;

  /**
   * The settings shown inside the parentheses when printing, e.g. `in_features=4, out_features=2`.
   * Override it in your own layers.
   *
   * @example
   * ```ts
   * new Linear(4, 2).extraRepr(); // 'in_features=4, out_features=2, bias=True'
   * ```
   */
  extraRepr(): string {
    return '';
  }

  /**
   * Direct submodules with their field names (`'encoder'`, or `'layers.0'` for an array field).
   *
   * @example
   * ```ts
   * new Sequential(new Linear(2, 3), new ReLU()).namedChildren().map(([n]) => n); // ['0', '1']
   * ```
   */
  namedChildren(): [string, Module][] {
    const seen = new Set<Module>([this]);
    const out: [string, Module][] = [];
    for (const s of ownSlots(this)) {
      if (s.value instanceof Module && !seen.has(s.value)) {
        seen.add(s.value);
        out.push([s.name, s.value]);
      }
    }
    return out;
  }

  /**
   * Direct submodules.
   *
   * @example
   * ```ts
   * model.children().length;
   * ```
   */
  children(): Module[] {
    return this.namedChildren().map(([, m]) => m);
  }

  /**
   * This module (named `''`) and all its descendants, depth first, each once, with dotted names.
   *
   * @example
   * ```ts
   * model.namedModules().map(([n, m]) => `${n}: ${m.constructor.name}`);
   * ```
   */
  namedModules(): [string, Module][] {
    const out: [string, Module][] = [];
    const seen = new Set<Module>();
    const visit = (m: Module, prefix: string): void => {
      if (seen.has(m)) return;
      seen.add(m);
      out.push([prefix, m]);
      for (const [name, child] of m.namedChildren()) visit(child, join(prefix, name));
    };
    visit(this, '');
    return out;
  }

  /**
   * This module and all its descendants.
   *
   * @example
   * ```ts
   * model.modules().filter((m) => m instanceof Linear).length;
   * ```
   */
  modules(): Module[] {
    return this.namedModules().map(([, m]) => m);
  }

  /**
   * Every parameter with its dotted name (`'layers.0.weight'`); a tied parameter is listed once.
   *
   * @example
   * ```ts
   * for (const [name, p] of model.namedParameters()) console.log(name, p.shape);
   * ```
   */
  namedParameters(): [string, Parameter][] {
    return namedOfKind(this, Parameter);
  }

  /**
   * Every parameter, each once: what an optimizer takes.
   *
   * @example
   * ```ts
   * const params = model.parameters();
   * ```
   */
  parameters(): Parameter[] {
    return this.namedParameters().map(([, p]) => p);
  }

  /**
   * Every buffer with its dotted name in PyTorch's spelling (e.g. `'bn.running_mean'`).
   *
   * @example
   * ```ts
   * new BatchNorm1d(3).namedBuffers().map(([n]) => n); // ['running_mean', 'running_var', 'num_batches_tracked']
   * ```
   */
  namedBuffers(): [string, BufferTensor][] {
    return namedOfKind(this, BufferTensor);
  }

  /**
   * Every buffer (state that is saved but not trained).
   *
   * @example
   * ```ts
   * model.buffers().length;
   * ```
   */
  buffers(): BufferTensor[] {
    return this.namedBuffers().map(([, b]) => b);
  }

  /**
   * Sets training mode (`true`) or evaluation mode on this module and every descendant.
   *
   * @example
   * ```ts
   * model.train();
   * ```
   */
  train(mode = true): this {
    for (const m of this.modules()) m.training = mode;
    return this;
  }

  /**
   * Evaluation mode: Dropout becomes the identity and BatchNorm uses its running statistics.
   *
   * @example
   * ```ts
   * const y = model.eval().forward(x);
   * ```
   */
  eval(): this {
    return this.train(false);
  }

  /**
   * Clears `.grad` of every parameter (sets it to `null`).
   *
   * @example
   * ```ts
   * model.zeroGrad();
   * ```
   */
  zeroGrad(): void {
    for (const p of this.parameters()) p.grad = null;
  }

  /**
   * Freezes (`false`) or unfreezes every parameter; frozen parameters are still saved and loaded.
   *
   * @example
   * ```ts
   * backbone.requiresGrad_(false);
   * ```
   */
  requiresGrad_(requiresGrad = true): this {
    for (const p of this.parameters()) p.requiresGrad = requiresGrad;
    return this;
  }

  /**
   * Calls `fn` on every module of the tree (children first, as PyTorch), e.g. to re-initialize.
   *
   * @example
   * ```ts
   * model.apply((m) => { if (m instanceof Linear) init.zeros(m.weight); });
   * ```
   */
  apply(fn: (module: Module) => void): this {
    for (const m of this.modules().reverse()) fn(m);
    return this;
  }

  /**
   * Converts every floating-point parameter and buffer to `dtype`, replacing them with new tensors
   * (so create optimizers after converting). Tied parameters stay tied; integer and bool buffers
   * (BatchNorm's `num_batches_tracked`) keep their dtype, as in PyTorch.
   *
   * @example
   * ```ts
   * const model = new Linear(4, 3).toDType('float64'); // e.g. for gradcheck
   * ```
   */
  toDType(dtype: DType): this {
    convertSlots(this.modules().flatMap(ownSlots), dtype);
    return this;
  }

  /**
   * Parameters and buffers by dotted name, as tensors sharing the module's storage (detached);
   * `clone()` them to keep a snapshot while training goes on.
   *
   * @example
   * ```ts
   * const state = model.stateDict(); // { '0.weight': Tensor, '0.bias': Tensor, ... }
   * ```
   */
  stateDict(): Record<string, Tensor> {
    const out: Record<string, Tensor> = {};
    for (const [name, slot] of tensorSlots(this)) out[name] = (slot.value as Tensor).detach();
    return out;
  }

  /**
   * Copies tensors into the parameters and buffers of the same names. With `strict` (default),
   * missing and unexpected keys are errors; a shape or dtype mismatch always is. The error names
   * every offending key and nothing is copied unless everything checks out.
   *
   * @example
   * ```ts
   * other.loadStateDict(model.stateDict());
   * model.loadStateDict({ '0.weight': w }, { strict: false }); // { missingKeys: ['0.bias'], unexpectedKeys: [] }
   * ```
   */
  loadStateDict(state: Readonly<Record<string, Tensor>>, options: LoadStateDictOptions = {}): LoadStateDictResult {
    const targets = new Map([...tensorSlots(this)].map(([name, s]) => [name, s.value as Tensor]));
    return loadState(this.constructor.name || 'Module', targets, state, options);
  }

  /**
   * The number of parameter elements (each tied parameter counted once); `trainableOnly` skips frozen ones.
   *
   * @example
   * ```ts
   * new Linear(784, 256).numParameters(); // 200960
   * ```
   */
  numParameters(options: { trainableOnly?: boolean } = {}): number {
    return this.parameters()
      .filter((p) => !options.trainableOnly || p.requiresGrad)
      .reduce((n, p) => n + p.size, 0);
  }

  /**
   * The architecture, printed like PyTorch: `Sequential(\n  (0): Linear(in_features=2, ...)\n)`.
   *
   * @example
   * ```ts
   * console.log(String(new Sequential(new Linear(784, 256), new ReLU())));
   * ```
   */
  toString(): string {
    return formatModule(this);
  }
}
