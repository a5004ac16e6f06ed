// A new tensor object for the same value, carrying everything the original takes part in (tape,
// tangents, batching): transforms attach their own level's information to it, never to the caller's.
import { Tensor } from '../tensor.js';
import { defineOp, type Op } from '../define-op.js';

export const alias: Op<[Tensor]> = defineOp({
  name: 'alias',
  forward: (x: Tensor) => new Tensor(x.data),
  vjp: (g) => [g],
  jvp: ([t]) => t,
  batch: ([x], [d]) => [alias(x), d] as const,
});
