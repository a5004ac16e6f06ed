// Containers: children stored under their index ('0', '1', ...), so names and printing match
// PyTorch (`0.weight`, `(0): Linear(...)`) and `seq[0]` works as in Python.
import type { Tensor } from '@tapegrad/autograd';
import { Module } from '../module.js';
import { checkTensor, fail } from '@tapegrad/autograd';

/** Children kept as own numeric properties, which the field walk visits in index order. */
function assertModule(container: string, m: unknown, i: number): asserts m is Module {
  if (!(m instanceof Module)) throw new Error(`${container}: element ${i} is not a Module (got ${m === null ? 'null' : typeof m})`);
}

function countOf(m: object): number {
  let n = 0;
  while (Object.hasOwn(m, n)) n++;
  return n;
}

/**
 * Runs modules in order, feeding each one's output to the next; `seq[i]` is the i-th module.
 *
 * @example
 * ```ts
 * const mlp = new Sequential(new Linear(784, 256), new ReLU(), new Linear(256, 10));
 * mlp.forward(randn([32, 784])).shape; // [32, 10]
 * mlp[0];                              // the first Linear
 * ```
 * @category Containers
 */
export class Sequential extends Module<[Tensor], Tensor> {
  /** The i-th module. */
  readonly [index: number]: Module;

  /** A pipeline of `modules`. */
  constructor(...modules: Module[]) {
    super();
    modules.forEach((m) => this.append(m));
  }

  /** Number of modules. */
  get length(): number {
    return countOf(this);
  }

  /**
   * Adds a module at the end.
   *
   * @example
   * ```ts
   * new Sequential().append(new Linear(2, 2));
   * ```
   */
  append(module: Module): this {
    const n = this.length;
    assertModule('Sequential', module, n);
    (this as Record<number, Module>)[n] = module;
    return this;
  }

  /** Iterates over the modules in order. */
  *[Symbol.iterator](): Iterator<Module> {
    for (let i = 0; i < this.length; i++) yield this[i]!;
  }

  /** Each module applied in turn. */
  forward(x: Tensor): Tensor {
    checkTensor('Sequential', 'x', x);
    let y = x;
    for (const m of this) y = m.forward(y) as Tensor;
    return y;
  }
}

/**
 * A list of modules whose parameters the parent finds; it has no `forward` of its own (iterate
 * over it). A plain array field (`layers: Linear[]`) works too; ModuleList adds PyTorch-style
 * printing as one child.
 *
 * @example
 * ```ts
 * class Stack extends Module<[Tensor], Tensor> {
 *   layers = new ModuleList([new Linear(4, 4), new Linear(4, 4)]);
 *   forward(x: Tensor) { for (const l of this.layers) x = l.forward(x).relu(); return x; }
 * }
 * ```
 * @category Containers
 */
export class ModuleList<M extends Module = Module> extends Module<[], never> {
  /** The i-th module. */
  readonly [index: number]: M;

  /** A list holding `modules`. */
  constructor(modules: Iterable<M> = []) {
    super();
    if (modules === null || typeof modules !== 'object' || !(Symbol.iterator in modules)) fail('ModuleList', 'modules must be an array (or iterable) of Modules', modules, 'an array of Modules');
    for (const m of modules) this.append(m);
  }

  /** Number of modules. */
  get length(): number {
    return countOf(this);
  }

  /**
   * Adds a module at the end.
   *
   * @example
   * ```ts
   * list.append(new Linear(4, 4));
   * ```
   */
  append(module: M): this {
    const n = this.length;
    assertModule('ModuleList', module, n);
    (this as Record<number, M>)[n] = module;
    return this;
  }

  /** Iterates over the modules in order. */
  *[Symbol.iterator](): Iterator<M> {
    for (let i = 0; i < this.length; i++) yield this[i]!;
  }

  /** Always throws: a ModuleList is a container, call its elements instead. */
  forward(): never {
    throw new Error('ModuleList: has no forward; iterate over it and call each module');
  }
}
