// The one check the training loop repeats: a condition, else an error naming the function.

/** Throws `Error('<owner>: <message>')` unless `condition` holds. */
export function ensure(condition: boolean, owner: string, message: string): asserts condition {
  if (!condition) throw new Error(`${owner}: ${message}`);
}
