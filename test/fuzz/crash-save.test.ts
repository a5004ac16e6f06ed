// A save killed at a random moment never costs the last good file, and the temporary files it
// leaves behind are removed by the next save.
import { describe, expect, it } from 'vitest';
import { spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { full } from '@tapegrad/autograd';
import { loadTensors, saveTensors } from '@tapegrad/autograd/node';

const child = fileURLToPath(new URL('./save-child.ts', import.meta.url));

/** Starts the saving child, waits for its first complete save, lets it run `ms` more, then SIGKILLs it. */
function killMidSave(path: string, ms: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const p = spawn(process.execPath, ['--conditions=@tapegrad/source', '--import', 'tsx', child, path], { stdio: ['ignore', 'pipe', 'inherit'] });
    p.stdout.once('data', () => setTimeout(() => p.kill('SIGKILL'), ms));
    p.once('exit', () => resolve());
    p.once('error', reject);
  });
}

describe('crash during save', () => {
  it('the last good file always loads, and stale temporaries are cleaned up by the next save', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'tapegrad-crash-'));
    const path = join(dir, 'w.tg');
    try {
      let lastVersion = 0;
      for (const ms of [5, 23, 41, 67, 110]) {
        await killMidSave(path, ms);
        const { tensors, meta } = loadTensors(path); // never a partial file
        const version = (meta as { version: number }).version;
        expect(version).toBeGreaterThanOrEqual(1);
        const w = tensors.w!.contiguousData();
        expect(w.length).toBe(200_000);
        expect(w.every((v) => v === version)).toBe(true);
        lastVersion = version;
      }
      expect(lastVersion).toBeGreaterThanOrEqual(1);
      saveTensors(path, { w: full([2], 0) });
      expect(readdirSync(dir).filter((n) => n.includes('.tmp-'))).toEqual([]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 120_000);
});
