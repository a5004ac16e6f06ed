// A module-resolution hook, so Node can load tfjs-core's gradient registrations. tfjs-core's
// CommonJS bundle (what `import '@tensorflow/tfjs-core'` gives in Node) registers no gradients;
// they live only in its ES module files (dist/register_all_gradients.js), whose relative imports
// carry no file extension, which Node's ES module loader rejects. This adds `.js` (or
// `/index.js`) to those imports, inside tfjs-core's dist only. The registrations land in
// tfjs's global registry, which the CommonJS copy reads too.
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

export async function resolve(specifier, context, nextResolve) {
  const parent = context.parentURL ?? '';
  if (specifier.startsWith('.') && parent.includes('/@tensorflow/tfjs-core/dist/') && !specifier.endsWith('.js')) {
    const file = fileURLToPath(new URL(specifier + '.js', parent));
    return nextResolve(existsSync(file) ? specifier + '.js' : specifier + '/index.js', context);
  }
  return nextResolve(specifier, context);
}
