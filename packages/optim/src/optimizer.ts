// The optimizer base: parameter groups, per-parameter state, zeroGrad and state dicts. Subclasses
// supply only their hyper-parameter checks and the per-parameter update.
import { Tensor, describeValue, fail, noGrad, peekGrad } from '@tapegrad/autograd';
import { checkInteger, checkNonNegative, defined, ensure } from './checks.js';
import { stateTensor } from './storage.js';
import type { HyperParams, OptimizerStateDict, ParamGroup, ParamGroupInput, ParamGroupState, ParamsInput, ParamState } from './types.js';


// The update methods that keep no reference to the gradient they are given (the built-in ones
// register theirs). A subclass that overrides update is not among them, so its optimizer reads
// `.grad` and the gradient stays where it is.
const updatesKeepingNoGradient = new WeakSet<object>();

/** Declares that `update` keeps no reference to its gradient (nor to its values) once it returns. */
export function keepsNoGradient(update: object): void {
  updatesKeepingNoGradient.add(update);
}

/**
 * Base class of the optimizers: holds parameter groups and per-parameter state, and runs the
 * update of every parameter that has a gradient, in place and outside the tape.
 *
 * A subclass implements {@link Optimizer.checkHyperParams}, {@link Optimizer.initState} and
 * {@link Optimizer.update}, and overrides `label`.
 *
 * @example
 * ```ts
 * class SignSGD extends Optimizer<{ lr: number }, {}> {
 *   constructor(params: Iterable<Tensor>, lr = 0.01) { super(params, { lr }); }
 *   protected override get label() { return 'SignSGD'; }
 *   protected checkHyperParams(h: { lr: number }) { if (h.lr < 0) throw new Error(`SignSGD: invalid lr ${h.lr}`); }
 *   protected initState() { return {}; }
 *   protected update(p: Tensor, g: Tensor, group: ParamGroup<{ lr: number }>) { p.add_(g.sign(), -group.lr); }
 * }
 * ```
 * @category Optimizers
 */
export abstract class Optimizer<H extends HyperParams = HyperParams, S extends ParamState = ParamState> {
  /** Hyper-parameters used where a group does not override them. */
  readonly defaults: Readonly<H>;
  /** The parameter groups, in the order given. */
  readonly paramGroups: ParamGroup<H>[] = [];
  /** Per-parameter state (momentum buffers, moment estimates, step counts), created on first update. */
  readonly state = new Map<Tensor, S>();

  /**
   * Checks `defaults` and adds the parameters: tensors become one group, parameter groups are added
   * in order with {@link Optimizer.addParamGroup}.
   */
  constructor(params: ParamsInput<H>, defaults: H) {
    const iterable = params !== null && typeof params === 'object' && Symbol.iterator in params;
    if (!(params instanceof Tensor) && !iterable) fail(this.label, 'params must be tensors or parameter groups', params, 'an iterable of Tensors or of { params, ...hyperParams }');
    this.checkHyperParams(defaults);
    this.defaults = Object.freeze({ ...defaults });
    const items: unknown[] = params instanceof Tensor ? [params] : Array.from(params as Iterable<unknown>);
    ensure(items.length > 0, this.label, 'got an empty parameter list');
    const tensors = items.filter((i) => i instanceof Tensor);
    if (tensors.length === items.length) this.addParamGroup({ params: tensors as Tensor[] } as unknown as ParamGroupInput<H>);
    else {
      ensure(tensors.length === 0, this.label, 'expected either tensors or parameter groups ({ params, ... }), not a mix');
      for (const group of items) this.addParamGroup(group as ParamGroupInput<H>);
    }
  }

  /** The optimizer's name, used in error messages (subclasses override it). */
  protected get label(): string {
    return 'Optimizer';
  }

  /** Throws, naming the optimizer and the value, when a hyper-parameter is out of range. */
  protected abstract checkHyperParams(h: H): void;

  /** Fresh state for a parameter about to receive its first update. */
  protected abstract initState(param: Tensor, group: ParamGroup<H>): S;

  /** Updates `param` in place from `grad` (never null) and its state; runs under `noGrad`. */
  protected abstract update(param: Tensor, grad: Tensor, group: ParamGroup<H>, state: S): void;

  /**
   * The gradient `step` passes to `update`: read with peekGrad when `update` is a built-in one
   * that keeps nothing of it (so its buffer is reused after zeroGrad), else through `.grad`.
   */
  private gradOf(p: Tensor): unknown {
    return updatesKeepingNoGradient.has(this.update) ? peekGrad(p) : p.grad;
  }

  /**
   * Adds a parameter group (e.g. layers unfrozen during fine-tuning). Hyper-parameters it leaves
   * out come from the defaults. A tensor may belong to only one group, and must be a leaf.
   *
   * @example
   * ```ts
   * optimizer.addParamGroup({ params: head.parameters(), lr: 1e-3 });
   * ```
   */
  addParamGroup(group: ParamGroupInput<H>): void {
    const at = `parameter group ${this.paramGroups.length}`;
    ensure(typeof group === 'object' && group !== null && 'params' in group, this.label, `${at} must be an object with a 'params' list`);
    const { params: given, ...overrides } = group;
    const known = Object.keys(this.defaults);
    for (const key of Object.keys(overrides)) {
      ensure(known.includes(key), this.label, `${at}: unexpected option '${key}' (expected params or one of: ${known.join(', ')})`);
    }
    const iterable = given !== null && typeof given === 'object' && Symbol.iterator in given;
    if (!(given instanceof Tensor) && !iterable) fail(this.label, `${at}: params must be tensors`, given, 'a Tensor or an iterable of Tensors');
    const params = given instanceof Tensor ? [given] : Array.from(given);
    const seen = new Set(this.paramGroups.flatMap((g) => g.params));
    params.forEach((p, j) => {
      ensure(p instanceof Tensor, this.label, `${at}: params[${j}] is not a Tensor`);
      ensure(p.isLeaf, this.label, `${at}: params[${j}] is not a leaf (it was produced by '${p.gradFn?.op.name}'); optimize a leaf such as x.detach().requiresGrad_()`);
      ensure(!seen.has(p), this.label, `${at}: params[${j}] (shape [${p.shape.join(',')}]) appears more than once across parameter groups`);
      seen.add(p);
    });
    const merged = { ...structuredClone(this.defaults), ...defined(overrides), params } as ParamGroup<H>;
    this.checkHyperParams(merged);
    this.paramGroups.push(merged);
  }

  /**
   * Updates every parameter that has a gradient (parameters with `grad === null` are skipped and
   * keep their state untouched). Nothing is recorded on the tape.
   *
   * @example
   * ```ts
   * optimizer.zeroGrad();
   * loss(model).backward();
   * optimizer.step();
   * ```
   */
  step(): void {
    // Every gradient is checked before any parameter moves, so a bad one leaves the model and state as they were.
    this.paramGroups.forEach((group, i) =>
      group.params.forEach((p, j) => {
        const g: unknown = this.gradOf(p);
        if (g === null) return;
        const at = `paramGroups[${i}].params[${j}].grad`;
        if (!(g instanceof Tensor)) fail(this.label, `${at} must be a Tensor`, g, 'a Tensor or null');
        if (!sameShape(g.shape, p.shape) || g.dtype !== p.dtype) {
          fail(this.label, `${at} does not match its parameter`, g, `a ${p.dtype} tensor of shape [${p.shape.join(',')}]`);
        }
      }),
    );
    noGrad(() => {
      for (const group of this.paramGroups) {
        for (const p of group.params) {
          const g = this.gradOf(p) as Tensor | null;
          if (g === null) continue;
          let s = this.state.get(p);
          if (s === undefined) this.state.set(p, (s = this.initState(p, group)));
          this.update(p, g, group, s);
        }
      }
    });
  }

  /**
   * Clears the gradients of all parameters: sets them to `null` (the default, as PyTorch's
   * `set_to_none=True`), or fills them with zeros in place.
   *
   * @example
   * ```ts
   * optimizer.zeroGrad();
   * ```
   */
  zeroGrad(setToNone = true): void {
    for (const group of this.paramGroups) {
      for (const p of group.params) {
        if (setToNone) p.grad = null;
        else if (p.grad !== null) noGrad(() => p.grad!.zero_());
      }
    }
  }

  /**
   * A snapshot of the optimizer (state tensors are copied). Restore it with
   * {@link Optimizer.loadStateDict} on an optimizer built over the same parameter layout.
   *
   * @example
   * ```ts
   * const saved = optimizer.stateDict();
   * ```
   */
  stateDict(): OptimizerStateDict {
    const state: OptimizerStateDict['state'] = {};
    let index = 0;
    const paramGroups = this.paramGroups.map(({ params, ...hyper }) => {
      const ids = params.map((p) => {
        const s = this.state.get(p);
        if (s !== undefined) state[index] = copyState(s);
        return index++;
      });
      return { ...structuredClone(hyper), params: ids } as ParamGroupState;
    });
    return { state, paramGroups };
  }

  /**
   * Restores a snapshot from {@link Optimizer.stateDict}: the groups' hyper-parameters and every
   * parameter's state, matched by position. State tensors are copied and cast to the parameter's
   * dtype. Throws, changing nothing, when the group layout or a state tensor's shape differs.
   *
   * @example
   * ```ts
   * const resumed = new Adam(model.parameters(), { lr: 1e-3 });
   * resumed.loadStateDict(saved);
   * ```
   */
  loadStateDict(stateDict: OptimizerStateDict): void {
    // Everything is checked before anything is written, so a refused state dict changes nothing.
    const who = this.label;
    const sd: unknown = stateDict;
    const isObject = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === 'object' && !Array.isArray(v);
    if (!isObject(sd) || !Array.isArray(sd.paramGroups) || !isObject(sd.state)) {
      fail(who, 'loadStateDict expects { state, paramGroups }', sd, 'an optimizer state dict from stateDict()');
    }
    const savedGroups = sd.paramGroups as unknown[];
    ensure(savedGroups.length === this.paramGroups.length, who, `loaded state dict has ${savedGroups.length} parameter group(s), the optimizer has ${this.paramGroups.length}`);
    const known = [...Object.keys(this.defaults), 'initialLr'];
    const hypers = savedGroups.map((saved, i) => {
      const group = this.paramGroups[i]!;
      if (!isObject(saved)) fail(who, `loaded parameter group ${i} must be an object`, saved, '{ params, ...hyperParams }');
      ensure(Array.isArray(saved.params) && saved.params.length === group.params.length, who,
        `loaded parameter group ${i} has ${Array.isArray(saved.params) ? saved.params.length : 'no list of'} parameter(s), the optimizer's has ${group.params.length}`);
      const { params: _ids, ...hyper } = saved;
      for (const key of Object.keys(hyper)) {
        ensure(known.includes(key), who, `loaded parameter group ${i} has hyper-parameter '${key}', which ${who} does not have (was it saved from a different optimizer?)`);
      }
      if (hyper.initialLr !== undefined) checkNonNegative(who, `loaded initialLr of parameter group ${i}`, hyper.initialLr);
      const copy = cloneHyper(who, hyper);
      this.checkHyperParams({ ...group, ...copy } as ParamGroup<H>);
      return copy;
    });
    const params = this.paramGroups.flatMap((g) => g.params);
    const state = new Map<Tensor, S>();
    for (const [key, saved] of Object.entries(sd.state as Record<string, unknown>)) {
      const p = /^\d+$/.test(key) ? params[Number(key)] : undefined;
      ensure(p !== undefined, who, `loaded state for parameter ${key}, but the optimizer has ${params.length} parameter(s)`);
      if (!isObject(saved)) fail(who, `loaded state of parameter ${key} must be an object`, saved, 'an object of tensors and numbers');
      state.set(p, restoreState(who, key, p, saved, this.stateKeys, this.residentState) as S);
    }
    this.paramGroups.forEach((group, i) => Object.assign(group, hypers[i]));
    this.state.clear();
    for (const [p, s] of state) this.state.set(p, s);
  }

  /**
   * Whether this optimizer's float32 state tensors live in WebAssembly memory (`optimizerState`),
   * where its fused update kernel changes them in place; loaded state follows it. Default false.
   */
  protected get residentState(): boolean {
    return false;
  }

  /**
   * The per-parameter state keys this optimizer keeps (`required` in every entry once a parameter
   * has been updated, `optional` only in some), so a state dict from a different optimizer is
   * refused on load. `undefined` (the default for subclasses) skips the check.
   */
  protected get stateKeys(): { required: readonly string[]; optional: readonly string[] } | undefined {
    return undefined;
  }
}

function cloneHyper(who: string, hyper: Record<string, unknown>): Record<string, unknown> {
  try {
    return structuredClone(hyper);
  } catch {
    return fail(who, 'loaded hyper-parameters must be plain data', hyper, 'numbers, booleans and arrays of numbers');
  }
}

function copyState(s: ParamState): Record<string, Tensor | number> {
  const out: Record<string, Tensor | number> = {};
  for (const [k, v] of Object.entries(s)) {
    if (v instanceof Tensor) out[k] = stateTensor(v, v.contiguousData());
    else if (v !== undefined) out[k] = v;
  }
  return out;
}

function restoreState(
  label: string,
  key: string,
  p: Tensor,
  saved: Record<string, unknown>,
  keys: { required: readonly string[]; optional: readonly string[] } | undefined,
  resident: boolean,
): ParamState {
  if (keys !== undefined) {
    for (const k of Object.keys(saved)) {
      ensure(keys.required.includes(k) || keys.optional.includes(k), label,
        `loaded state of parameter ${key} has '${k}', which ${label} does not keep (was it saved from a different optimizer?)`);
    }
    for (const k of keys.required) ensure(k in saved, label, `loaded state of parameter ${key} lacks '${k}' (was it saved from a different optimizer?)`);
  }
  const out: ParamState = {};
  for (const [k, v] of Object.entries(saved)) {
    if (v instanceof Tensor) {
      ensure(sameShape(v.shape, p.shape), label,
        `loaded state '${k}' of parameter ${key} has shape [${v.shape.join(',')}], the parameter has shape [${p.shape.join(',')}]`);
      out[k] = stateTensor(p, v.contiguousData(), 0, resident);
    } else {
      ensure(typeof v === 'number' && Number.isFinite(v), label, `loaded state '${k}' of parameter ${key} is neither a tensor nor a finite number (got ${describeValue(v)})`);
      if (k === 'step') checkInteger(label, `loaded state 'step' of parameter ${key}`, v, 0);
      out[k] = v;
    }
  }
  return out;
}

function sameShape(a: readonly number[], b: readonly number[]): boolean {
  return a.length === b.length && a.every((d, i) => d === b[i]);
}
