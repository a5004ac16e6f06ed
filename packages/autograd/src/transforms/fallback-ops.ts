// Hands the op-level fallbacks (jvp through the vjp, vmap by looping) the ops they need. Imported by
// every transform, so it has run by the time any level exists.
import { registerFallbackOps } from '../op-dispatch.js';
import { gradients } from '../tape.js';
import { zerosLike } from '../ops/creation.js';
import { slice } from '../ops/slice.js';
import { stack } from '../ops/join.js';
import { expand, unsqueeze } from '../ops/movement.js';

registerFallbackOps({
  zerosLike: (t) => zerosLike(t),
  gradients: (outputs, inputs, options) => gradients(outputs, inputs, options),
  select: (x, dim, index) => slice(x, ...new Array<null>(dim).fill(null), index),
  stack: (xs, dim) => stack(xs, dim),
  unsqueeze: (x, dim) => unsqueeze(x, dim),
  expand: (x, shape) => expand(x, shape),
});
