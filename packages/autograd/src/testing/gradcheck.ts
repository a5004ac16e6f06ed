// Finite-difference checks of analytic gradients, for built-in ops and for op authors.
import { checkBoolean, checkCallback, checkFinite, checkInt, checkOptions, checkTensorList, fail } from '../validate.js';
import { Tensor } from '../tensor.js';
import { gradients } from '../tape.js';
import { noGrad } from '../grad-mode.js';
import { Generator } from '../rng.js';
import { fmt, unravelIndex } from '../shape.js';
import { copyToContiguous, wrap } from '../kernels/layout.js';
import { randn } from '../ops/creation.js';

/**
 * Tolerances and behaviour of {@link gradcheck} (defaults as PyTorch: eps 1e-6, atol 1e-5, rtol 1e-3).
 *
 * @example
 * ```ts
 * gradcheck(f, [x], { atol: 1e-4 });
 * ```
 * @category Testing
 */
export interface GradcheckOptions {
  /** Finite-difference step. */
  eps?: number;
  /** Absolute tolerance. */
  atol?: number;
  /** Relative tolerance (relative to the numerical value). */
  rtol?: number;
  /** Throw on mismatch (default); when false, return the report instead. */
  raiseException?: boolean;
  /** Seed of the random output projection. */
  seed?: number;
}

/**
 * One disagreement between the analytic and the numerical gradient.
 *
 * @example
 * ```ts
 * const r = gradcheck(f, [x], { raiseException: false });
 * if (!r.ok) console.log(r.mismatches[0]?.index);
 * ```
 * @category Testing
 */
export interface GradcheckMismatch {
  /** Position of the input in the `inputs` array. */
  input: number;
  /** Multi-index of the element within that input. */
  index: number[];
  analytic: number;
  numerical: number;
}

/**
 * The outcome of a {@link gradcheck} run.
 *
 * @example
 * ```ts
 * const report: GradcheckReport = gradcheck(f, [x], { raiseException: false });
 * ```
 * @category Testing
 */
export interface GradcheckReport {
  ok: boolean;
  mismatches: GradcheckMismatch[];
  /** A readable summary naming the first disagreeing inputs and indices. */
  message: string;
}


/**
 * A function checked by {@link gradcheck}: tensors in, one tensor or a list of tensors out.
 *
 * @example
 * ```ts
 * const f: GradcheckFn = (a, b) => a.mul(b);
 * ```
 * @category Testing
 */
export type GradcheckFn = (...inputs: Tensor[]) => Tensor | readonly Tensor[];

/** f's result as a list of tensors, or an error naming the check. */
function asList(y: unknown, fn = 'gradcheck'): readonly Tensor[] {
  if (y instanceof Tensor) return [y];
  if (Array.isArray(y) && y.length > 0 && y.every((t) => t instanceof Tensor)) return y;
  return fail(fn, 'f must return a Tensor or a non-empty array of Tensors', y, 'a Tensor or Tensor[]');
}

const GRADCHECK_KEYS = ['eps', 'atol', 'rtol', 'raiseException', 'seed'];

/** Checks gradcheck's options (known keys, positive eps, non-negative tolerances, integer seed). */
function checkGradcheckOptions(fn: string, options: unknown): Required<GradcheckOptions> {
  const o = checkOptions(fn, options as GradcheckOptions, GRADCHECK_KEYS);
  const bounded = (name: string, v: unknown, open: boolean): number => {
    const n = checkFinite(fn, name, v);
    if (open ? n <= 0 : n < 0) fail(fn, `${name} must be ${open ? 'positive' : 'non-negative'}`, v, open ? 'a finite number > 0' : 'a finite number >= 0');
    return n;
  };
  return {
    eps: o.eps === undefined ? 1e-6 : bounded('eps', o.eps, true),
    atol: o.atol === undefined ? 1e-5 : bounded('atol', o.atol, false),
    rtol: o.rtol === undefined ? 1e-3 : bounded('rtol', o.rtol, false),
    raiseException: o.raiseException === undefined ? true : checkBoolean(fn, 'raiseException', o.raiseException),
    seed: o.seed === undefined ? 0 : checkInt(fn, 'seed', o.seed),
  };
}


/**
 * Checks the gradients of `f` at `inputs` against central finite differences. The outputs are
 * projected on a fixed random direction v, so it compares vᵀJ (analytic, one backward pass) with
 * (L(x+εeᵢ) − L(x−εeᵢ)) / 2ε for every element of every input that requires grad. Inputs must be
 * float64; they are copied before perturbing (views may share storage).
 *
 * @example
 * ```ts
 * const x = randn([3, 4], { dtype: 'float64', requiresGrad: true });
 * gradcheck((x) => x.tanh().sum(1), [x]); // true, or throws naming the input and index
 * ```
 * @category Testing
 */
export function gradcheck(f: GradcheckFn, inputs: readonly Tensor[], options: GradcheckOptions & { raiseException?: true }): true;
export function gradcheck(f: GradcheckFn, inputs: readonly Tensor[], options: GradcheckOptions & { raiseException: false }): GradcheckReport;
export function gradcheck(f: GradcheckFn, inputs: readonly Tensor[]): true;
export function gradcheck(f: GradcheckFn, inputs: readonly Tensor[], options: GradcheckOptions = {}): true | GradcheckReport {
  checkCallback('gradcheck', 'f', f);
  checkTensorList('gradcheck', 'inputs', inputs);
  const { eps, atol, rtol, raiseException, seed } = checkGradcheckOptions('gradcheck', options);
  inputs.forEach((x, i) => {
    if (x.dtype !== 'float64' && x.requiresGrad) throw new Error(`gradcheck: input ${i} (shape ${fmt(x.shape)}) is ${x.dtype}; finite differences need float64 inputs`);
  });
  const copies = inputs.map((x) => new Tensor(wrap(copyToContiguous(x.data), x.shape), x.requiresGrad));
  const checked = copies.map((_, i) => i).filter((i) => copies[i]!.requiresGrad);
  if (checked.length === 0) throw new Error('gradcheck: no input requires grad; set requiresGrad on the inputs to check');

  const gen = new Generator(seed);
  const outs0 = asList(f(...copies));
  const dirs = outs0.map((o) => randn(o.shape, { dtype: 'float64', generator: gen }));
  const project = (outs: readonly Tensor[]) => outs.map((o, j) => o.toDType('float64').mul(dirs[j]!).sum()).reduce((a, b) => a.add(b));

  const loss = project(outs0);
  const targets = checked.map((i) => copies[i]!);
  const analytic = loss.requiresGrad ? gradients([loss], targets, { allowUnused: true }) : targets.map(() => null);

  const mismatches: GradcheckMismatch[] = [];
  // Not under noGrad: f may itself take gradients (gradgradcheck does).
  {
    checked.forEach((inputIndex, k) => {
      const x = copies[inputIndex]!;
      const buf = x.data.data;
      const a = analytic[k] ? copyToContiguous(analytic[k]!.data) : new Float64Array(x.size);
      for (let e = 0; e < x.size; e++) {
        const orig = buf[e]!;
        buf[e] = orig + eps;
        const plus = project(asList(f(...copies))).item();
        buf[e] = orig - eps;
        const minus = project(asList(f(...copies))).item();
        buf[e] = orig;
        const numerical = (plus - minus) / (2 * eps);
        const analyticValue = a[e]!;
        if (!(Math.abs(analyticValue - numerical) <= atol + rtol * Math.abs(numerical))) {
          mismatches.push({ input: inputIndex, index: unravelIndex(e, x.shape), analytic: analyticValue, numerical });
        }
      }
    });
  }

  const message = mismatches.length === 0
    ? 'gradcheck: ok'
    : `gradcheck: ${mismatches.length} gradient entr${mismatches.length === 1 ? 'y disagrees' : 'ies disagree'} with finite differences (atol ${atol}, rtol ${rtol}):\n` +
      mismatches.slice(0, 8).map((m) => `  input ${m.input} (shape ${fmt(inputs[m.input]!.shape)}) at [${m.index.join(',')}]: analytic ${m.analytic} vs numerical ${m.numerical}`).join('\n');
  if (raiseException) {
    if (mismatches.length > 0) throw new Error(message);
    return true;
  }
  return { ok: mismatches.length === 0, mismatches, message };
}

/**
 * Checks second derivatives: runs {@link gradcheck} on the function (inputs, v) ↦ vᵀJ, whose
 * backward is recorded with `createGraph`. It fails when an op's vjp is not itself differentiable.
 *
 * @example
 * ```ts
 * const x = randn([3], { dtype: 'float64', requiresGrad: true });
 * gradgradcheck((x) => x.sin(), [x]);
 * ```
 * @category Testing
 */
export function gradgradcheck(f: GradcheckFn, inputs: readonly Tensor[], options: GradcheckOptions = {}): true | GradcheckReport {
  checkCallback('gradgradcheck', 'f', f);
  checkTensorList('gradgradcheck', 'inputs', inputs);
  checkGradcheckOptions('gradgradcheck', options);
  const outs = asList(noGrad(() => f(...inputs)), 'gradgradcheck');
  const gen = new Generator((options.seed ?? 0) + 1);
  const vs = outs.map((o) => randn(o.shape, { dtype: 'float64', generator: gen, requiresGrad: true }));
  const n = inputs.length;
  const firstOrder = (...all: Tensor[]): Tensor[] => {
    const xs = all.slice(0, n);
    const ys = asList(f(...xs));
    const wanted = xs.filter((x) => x.requiresGrad);
    const live = ys.map((y, j) => [y, all[n + j]!] as const).filter(([y]) => y.requiresGrad);
    if (live.length === 0) return wanted.map((x) => x.mul(0));
    return gradients(live.map(([y]) => y), wanted, { gradOutputs: live.map(([, v]) => v), createGraph: true, allowUnused: true });
  };
  return gradcheck(firstOrder, [...inputs, ...vs], options as GradcheckOptions & { raiseException: false });
}
