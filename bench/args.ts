// `pnpm bench`'s command line. An unknown option or section is an error, not ignored.

export const sections = ['chain', 'matmul', 'elementwise', 'mlp', 'cnn', 'transformer', 'persample', 'checkpoint', 'gemm'] as const;

export interface BenchOptions {
  quick: boolean;
  docs: boolean;
  /** The sections to run; null: all but gemm. */
  only: Set<string> | null;
  /** The Python interpreter for torch_steps.py, if any. */
  torch: string | undefined;
  /** How many times each selected section runs. */
  runs: number;
}

export function parseArgs(args: readonly string[]): BenchOptions {
  const opts: BenchOptions = { quick: false, docs: false, only: null, torch: undefined, runs: 1 };
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    const value = () => {
      const v = args[++i];
      if (v === undefined || v.startsWith('--')) throw new Error(`bench: ${a} needs a value`);
      return v;
    };
    if (a === '--quick') opts.quick = true;
    else if (a === '--docs') opts.docs = true;
    else if (a === '--torch') opts.torch = value();
    else if (a === '--only') {
      const names = value().split(',');
      const bad = names.filter((n) => !(sections as readonly string[]).includes(n));
      if (bad.length) throw new Error(`bench: --only: unknown section ${bad.join(', ')} (known: ${sections.join(', ')})`);
      opts.only = new Set(names);
    } else if (a === '--runs') {
      const v = value();
      const n = Number(v);
      if (!Number.isInteger(n) || n < 1) throw new Error(`bench: --runs must be a whole number ≥ 1, got ${v}`);
      opts.runs = n;
    } else throw new Error(`bench: unknown option ${a} (known: --quick, --docs, --only a,b, --torch python, --runs n)`);
  }
  return opts;
}
