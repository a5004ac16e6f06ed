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
    this.update(modules);
  }

  /**
   * Adds or replaces the modules of `modules`: an object, another ModuleDict (in its order) or
   * `[key, module]` pairs (PyTorch's `update`). Every entry is checked before any is stored.
   *
   * @example
   * ```ts
   * heads.update({ seg: new Linear(16, 21) });
   * heads.update([['depth', new Linear(16, 1)]]);
   * ```
   */
  update(modules: Record<string, M> | Iterable<[string, M]> | ModuleDict<M>): this {
    const name = 'ModuleDict';
    if (modules === null || typeof modules !== 'object') fail(name, 'modules must be an object of Modules by name, a ModuleDict or a list of [name, Module] pairs', modules, '{ name: Module } or [name, Module][]');
    const entries = modules instanceof ModuleDict
      ? modules.items()
      : Symbol.iterator in modules ? [...(modules as Iterable<[string, M]>)] : Object.entries(modules as Record<string, M>);
    entries.forEach((pair, i) => {
      if (!Array.isArray(pair) || pair.length !== 2) fail(name, `entry ${i} must be a [name, Module] pair`, pair, 'a [string, Module] pair');
      this.checkEntry(pair[0], pair[1]);
    });
    for (const [k, m] of entries) this.set(k, m);
    return this;
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
    this.checkEntry(key, module);
    (this as unknown as Record<string, M>)[key] = module;
    return this;
  }

  private checkEntry(key: unknown, module: unknown): void {
    if (typeof key !== 'string' || !KEY.test(key)) throw new Error(`ModuleDict: key must be an identifier-like string, got ${describeValue(key)}`);
    if (key in this && !this.has(key)) throw new Error(`ModuleDict: key '${key}' would shadow a ModuleDict member; pick another name`);
    if (!(module instanceof Module)) throw new Error(`ModuleDict: the value under '${key}' is not a Module`);
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
   * Removes the module under `key` and returns it, or `undefined` when there is none (a Map's
   * `delete` that returns the value; {@link ModuleDict.pop} throws instead).
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
   * Removes and returns the module under `key`; a missing key is an error (PyTorch's `pop`, whose
   * KeyError this mirrors).
   *
   * @example
   * ```ts
   * const box = heads.pop('box');
   * ```
   */
  pop(key: string): M {
    const m = this.delete(key);
    if (!m) throw new Error(`ModuleDict: pop: no module under key ${typeof key === 'string' ? `'${key}'` : describeValue(key)} (keys: ${this.keys().join(', ') || 'none'})`);
    return m;
  }

  /**
   * Removes every module (PyTorch's `clear`).
   *
   * @example
   * ```ts
   * heads.clear();
   * heads.size; // 0
   * ```
   */
  clear(): void {
    for (const k of this.keys()) delete (this as unknown as Record<string, M>)[k];
  }

  /**
   * Iterates over the keys, as iterating a PyTorch ModuleDict does.
   *
   * @example
   * ```ts
   * for (const key of heads) console.log(key);
   * ```
   */
  [Symbol.iterator](): IterableIterator<string> {
    return this.keys()[Symbol.iterator]();
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
