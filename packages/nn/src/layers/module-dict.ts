// ModuleDict: submodules under string keys, kept as own properties so the field walk names their
// parameters `key.weight` as PyTorch does; keys that would shadow a Module member are refused.
import { describeValue } from '@tapegrad/autograd';
import { fail } from '@tapegrad/autograd';
import { Module } from '../module.js';

const KEY = /^[A-Za-z_$][\w$]*$|^\d+$/;

/**
 * Submodules by name, in insertion order; a parent finds their parameters as `name.key.weight`.
 * It has no `forward` of its own.
 *
 * @example
 * ```ts
 * const heads = new ModuleDict({ cls: new Linear(16, 10), box: new Linear(16, 4) });
 * heads.get('cls')!.forward(randn([2, 16])).shape; // [2, 10]
 * heads.keys();                                    // ['cls', 'box']
 * ```
 * @category Containers
 */
export class ModuleDict<M extends Module = Module> extends Module<[], never> {
  /** A dictionary holding `modules` (an object or `[key, module]` pairs). */
  constructor(modules: Record<string, M> | Iterable<[string, M]> = {}) {
    super();
    if (modules === null || typeof modules !== 'object') fail('ModuleDict', 'modules must be an object of Modules by name or a list of [name, Module] pairs', modules, '{ name: Module } or [name, Module][]');
    const entries = Symbol.iterator in modules ? [...(modules as Iterable<[string, M]>)] : Object.entries(modules as Record<string, M>);
    entries.forEach((pair, i) => {
      if (!Array.isArray(pair) || pair.length !== 2) fail('ModuleDict', `entry ${i} must be a [name, Module] pair`, pair, 'a [string, Module] pair');
    });
    for (const [k, m] of entries) this.set(k, m);
  }

  /**
   * Adds or replaces the module under `key`.
   *
   * @example
   * ```ts
   * heads.set('seg', new Linear(16, 21));
   * ```
   */
  set(key: string, module: M): this {
    if (typeof key !== 'string' || !KEY.test(key)) throw new Error(`ModuleDict: key must be an identifier-like string, got ${describeValue(key)}`);
    if (key in this && !this.has(key)) throw new Error(`ModuleDict: key '${key}' would shadow a ModuleDict member; pick another name`);
    if (!(module instanceof Module)) throw new Error(`ModuleDict: the value under '${key}' is not a Module`);
    (this as unknown as Record<string, M>)[key] = module;
    return this;
  }

  /**
   * The module under `key`, or `undefined`.
   *
   * @example
   * ```ts
   * heads.get('cls');
   * ```
   */
  get(key: string): M | undefined {
    return this.has(key) ? (this as unknown as Record<string, M>)[key] : undefined;
  }

  /**
   * Whether a module is stored under `key`.
   *
   * @example
   * ```ts
   * heads.has('box'); // true
   * ```
   */
  has(key: string): boolean {
    return Object.hasOwn(this, key) && (this as unknown as Record<string, unknown>)[key] instanceof Module;
  }

  /**
   * Removes and returns the module under `key` (PyTorch's `pop`).
   *
   * @example
   * ```ts
   * heads.delete('box');
   * ```
   */
  delete(key: string): M | undefined {
    const m = this.get(key);
    if (m) delete (this as unknown as Record<string, M>)[key];
    return m;
  }

  /**
   * The keys, in insertion order.
   *
   * @example
   * ```ts
   * heads.keys(); // ['cls', 'box']
   * ```
   */
  keys(): string[] {
    return Object.keys(this).filter((k) => this.has(k));
  }

  /**
   * The modules, in insertion order.
   *
   * @example
   * ```ts
   * heads.values().length;
   * ```
   */
  values(): M[] {
    return this.keys().map((k) => this.get(k)!);
  }

  /**
   * `[key, module]` pairs, in insertion order (PyTorch's `items`).
   *
   * @example
   * ```ts
   * for (const [name, head] of heads.items()) console.log(name, head.toString());
   * ```
   */
  items(): [string, M][] {
    return this.keys().map((k) => [k, this.get(k)!]);
  }

  /** Number of modules. */
  get size(): number {
    return this.keys().length;
  }

  /** Always throws: a ModuleDict is a container, call its modules instead. */
  forward(): never {
    throw new Error('ModuleDict: has no forward; call the module under a key');
  }
}
