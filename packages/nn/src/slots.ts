// Walking a module's own fields for the parameters, buffers and submodules they hold. Module and
// this file import each other; that is safe because both only use the other inside functions.
import type { Tensor } from '@tapegrad/autograd';
import { BufferTensor, Parameter } from './parameter.js';
import { Module } from './module.js';

type Member = Parameter | BufferTensor | Module;

/** A field (or array element) of a module holding a member, and how to swap what it holds. */
export interface Slot {
  readonly name: string;
  readonly value: Member;
  replace(next: Tensor | Module): void;
}

const isMember = (v: unknown): v is Member => v instanceof Parameter || v instanceof BufferTensor || v instanceof Module;
export const join = (prefix: string, name: string) => (prefix === '' ? name : `${prefix}.${name}`);

/**
 * The PyTorch spelling of a field name: camelCase becomes snake_case (`runningMean` →
 * `running_mean`, `outProj` → `out_proj`), so dotted names and state-dict keys match PyTorch's for
 * the same architecture. Idempotent: a snake_case name is returned unchanged.
 */
export const pytorchName = (field: string) => field.replace(/([a-z0-9])([A-Z])/g, '$1_$2').replace(/([A-Z])([A-Z][a-z])/g, '$1_$2').toLowerCase();

/** Every segment of a dotted name in PyTorch spelling: maps keys of weight files written before names followed PyTorch. */
export const pytorchKey = (dotted: string) => dotted.split('.').map(pytorchName).join('.');

/** A `num_batches_tracked` saved as a float (files written before the counter became int32), as int32. */
export const legacyCounter = (key: string, t: Tensor): Tensor =>
  (key === 'num_batches_tracked' || key.endsWith('.num_batches_tracked')) && (t.dtype === 'float32' || t.dtype === 'float64') ? t.toDType('int32') : t;

/** The members in a module's own fields, in declaration order; array elements are named by index. */
export function ownSlots(owner: Module): Slot[] {
  const out: Slot[] = [];
  const seenArrays = new Set<unknown>();
  const visit = (holder: Record<string | number, unknown>, key: string | number, name: string): void => {
    const value = holder[key];
    if (isMember(value)) out.push({ name, value, replace: (next) => void (holder[key] = next) });
    else if (Array.isArray(value) && !seenArrays.has(value)) {
      seenArrays.add(value);
      value.forEach((_, i) => visit(value as unknown as Record<number, unknown>, i, `${name}.${i}`));
    }
  };
  for (const key of Object.keys(owner)) visit(owner as unknown as Record<string, unknown>, key, pytorchName(key));
  return out;
}

/** Every parameter and buffer slot of the tree under its dotted name (a tied tensor appears under each name). */
export function tensorSlots(root: Module): Map<string, Slot> {
  const out = new Map<string, Slot>();
  for (const [prefix, m] of root.namedModules()) {
    for (const s of ownSlots(m)) if (!(s.value instanceof Module)) out.set(join(prefix, s.name), s);
  }
  return out;
}


/** Parameters (or buffers) of the tree by dotted name; a tensor held under several names is listed once, first name wins. */
export function namedOfKind<T extends Parameter | BufferTensor>(root: Module, kind: new (...args: never[]) => T): [string, T][] {
  const seen = new Set<Tensor>();
  const out: [string, T][] = [];
  for (const [name, slot] of tensorSlots(root)) {
    if (slot.value instanceof kind && !seen.has(slot.value)) {
      seen.add(slot.value);
      out.push([name, slot.value]);
    }
  }
  return out;
}
