// The count-based baseline: an order-n character model, P(c | previous n−1 characters) =
// (count(context, c) + 1) / (count(context) + V) (add-one smoothing), fit on the training ids.

/** An order-`order` character n-gram model with add-one smoothing. */
export class CharNGram {
  private readonly counts = new Map<number, Map<number, number>>();
  private readonly totals = new Map<number, number>();

  /** Counts every n-gram of `ids` (vocabulary of `vocabSize`). */
  constructor(ids: ArrayLike<number>, readonly vocabSize: number, readonly order = 3) {
    for (let i = order - 1; i < ids.length; i++) {
      const ctx = this.context(ids, i);
      let row = this.counts.get(ctx);
      if (!row) this.counts.set(ctx, (row = new Map()));
      row.set(ids[i]!, (row.get(ids[i]!) ?? 0) + 1);
      this.totals.set(ctx, (this.totals.get(ctx) ?? 0) + 1);
    }
  }

  /** The n−1 ids before position i as one number. */
  private context(ids: ArrayLike<number>, i: number): number {
    let key = 0;
    for (let j = i - this.order + 1; j < i; j++) key = key * this.vocabSize + ids[j]!;
    return key;
  }

  /** Mean negative log-likelihood (nats per character) of positions `from`.. of `ids`. */
  nll(ids: ArrayLike<number>, from = this.order - 1): number {
    let total = 0;
    for (let i = Math.max(from, this.order - 1); i < ids.length; i++) {
      const ctx = this.context(ids, i);
      const c = this.counts.get(ctx)?.get(ids[i]!) ?? 0;
      total -= Math.log((c + 1) / ((this.totals.get(ctx) ?? 0) + this.vocabSize));
    }
    return total / (ids.length - Math.max(from, this.order - 1));
  }
}
