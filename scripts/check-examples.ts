// Fails when an exported declaration has no @example in its TSDoc: typedoc's validation checks
// that exports are documented, not that they show how to call them.
import { readFileSync } from 'node:fs';

interface Reflection {
  name: string;
  kind: number;
  comment?: { blockTags?: { tag: string }[] };
  signatures?: Reflection[];
  children?: Reflection[];
}

// typedoc ReflectionKind values of top-level declarations that need an example.
const NEEDS_EXAMPLE = new Set([
  32, // Variable
  64, // Function
  128, // Class
  256, // Interface
  2097152, // TypeAlias
]);
const MODULE_KINDS = new Set([1, 2, 4]); // Project, Module, Namespace

const hasExample = (r: Reflection | undefined) => !!r?.comment?.blockTags?.some((t) => t.tag === '@example');

const missing: string[] = [];
function walk(r: Reflection, path: string[]): void {
  for (const child of r.children ?? []) {
    const here = [...path, child.name];
    if (MODULE_KINDS.has(child.kind)) walk(child, here);
    else if (NEEDS_EXAMPLE.has(child.kind) && !hasExample(child) && !child.signatures?.some(hasExample)) missing.push(here.join('/'));
  }
}

const file = process.argv[2] ?? 'docs/api/api.json';
walk(JSON.parse(readFileSync(file, 'utf8')) as Reflection, []);
if (missing.length > 0) {
  console.error(`check-examples: ${missing.length} export(s) have no @example in their TSDoc:\n  ${missing.join('\n  ')}`);
  process.exit(1);
}
console.log('check-examples: every export has an @example');
