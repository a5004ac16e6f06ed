// Guide snippets import '@tapegrad/<pkg>' or '@tapegrad/<pkg>/<entry>'; a guide module written to a
// temporary folder outside the workspace cannot resolve those names, so they become the sources.
import { fileURLToPath } from 'node:url';

/** `code` with every `from '@tapegrad/…'` pointing at that entry point's source file. */
export function importsFromSource(code: string): string {
  return code.replace(/from '@tapegrad\/([a-z]+)(?:\/([a-z]+))?'/g, (_, pkg: string, entry: string | undefined) => {
    const file = fileURLToPath(new URL(`../packages/${pkg}/src/${entry ? `${entry}/` : ''}index.ts`, import.meta.url));
    return `from ${JSON.stringify(file)}`;
  });
}
