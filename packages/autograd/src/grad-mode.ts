// Global switches read by every op: whether to record on the tape, and anomaly detection.

let gradEnabled = true;
let anomalyEnabled = false;

/**
 * Whether ops currently record on the tape.
 *
 * @example
 * ```ts
 * noGrad(() => isGradEnabled()); // false
 * ```
 * @category Autograd
 */
export function isGradEnabled(): boolean {
  return gradEnabled;
}

/** Sets recording to `enabled` and returns the previous state (withGradMode without a closure, for the op call path). */
export function swapGradEnabled(enabled: boolean): boolean {
  const prev = gradEnabled;
  gradEnabled = enabled;
  return prev;
}

/** Runs `fn` with recording set to `enabled`, restoring the previous state afterwards. */
export function withGradMode<T>(enabled: boolean, fn: () => T): T {
  const prev = gradEnabled;
  gradEnabled = enabled;
  try {
    return fn();
  } finally {
    gradEnabled = prev;
  }
}

/**
 * Runs `fn` without recording anything on the tape (like `torch.no_grad()`): results do not require grad.
 * `fn` must be synchronous.
 *
 * @example
 * ```ts
 * const w = randn([3], { requiresGrad: true });
 * const y = noGrad(() => w.mul(2)); // y.requiresGrad === false
 * ```
 * @category Autograd
 */
export function noGrad<T>(fn: () => T): T {
  if (typeof fn !== 'function') throw new Error(`noGrad: fn must be a function (got ${typeof fn}, expected a function)`);
  return withGradMode(false, fn);
}

/**
 * Runs `fn` with recording switched back on, e.g. inside a {@link noGrad} block.
 *
 * @example
 * ```ts
 * noGrad(() => enableGrad(() => isGradEnabled())); // true
 * ```
 * @category Autograd
 */
export function enableGrad<T>(fn: () => T): T {
  if (typeof fn !== 'function') throw new Error(`enableGrad: fn must be a function (got ${typeof fn}, expected a function)`);
  return withGradMode(true, fn);
}

/**
 * Whether anomaly detection is on (see {@link detectAnomaly}).
 *
 * @example
 * ```ts
 * isAnomalyEnabled(); // false by default
 * ```
 * @category Autograd
 */
export function isAnomalyEnabled(): boolean {
  return anomalyEnabled;
}

/**
 * Switches anomaly detection on or off globally. While on, every op checks its output and every
 * backward step checks its gradients for NaN/Inf, and throws naming the op, its input shapes and
 * the stack where the op was created. It slows everything down; use it to hunt a NaN.
 *
 * @example
 * ```ts
 * setDetectAnomaly(true);
 * // ... run the failing step ...
 * setDetectAnomaly(false);
 * ```
 * @category Autograd
 */
export function setDetectAnomaly(enabled: boolean): void {
  // A truthy string such as 'off' must not switch anomaly mode on.
  if (typeof enabled !== 'boolean') throw new Error(`setDetectAnomaly: enabled must be a boolean (got ${typeof enabled === 'string' ? JSON.stringify(enabled) : String(enabled)}, expected true or false)`);
  anomalyEnabled = enabled;
}

/**
 * Runs `fn` (forward and any backward inside it) with anomaly detection on.
 *
 * @example
 * ```ts
 * const x = tensor([-1], { requiresGrad: true });
 * detectAnomaly(() => x.log().sum().backward()); // throws: log produced NaN ...
 * ```
 * @category Autograd
 */
export function detectAnomaly<T>(fn: () => T): T {
  if (typeof fn !== 'function') throw new Error(`detectAnomaly: fn must be a function (got ${typeof fn}, expected a function)`);
  const prev = anomalyEnabled;
  anomalyEnabled = true;
  try {
    return fn();
  } finally {
    anomalyEnabled = prev;
  }
}
