import type { Correction } from '#shared/model/qa.ts';

type Diagnosis = { sequence: number; code: string; system?: string };

/**
 * The diagnoses with a reviewer's corrections applied by sequence: `code` replaces the code at its
 * sequence (keeping the rest of that diagnosis) or adds an ICD-10-CM diagnosis at a new sequence;
 * `remove` deletes the diagnosis at its sequence. Corrections without a sequence change no code.
 */
export function applyCorrections<D extends Diagnosis>(
  diagnoses: readonly D[],
  corrections: readonly Pick<Correction, 'sequence' | 'code' | 'remove'>[],
): Diagnosis[] {
  const bySequence = new Map<number, Pick<Correction, 'code' | 'remove'>>();
  for (const c of corrections)
    if (c.sequence !== undefined && (c.code || c.remove)) bySequence.set(c.sequence, c);
  // Diagnoses are kept one for one (a duplicated sequence stays, for the rules to report).
  const result: Diagnosis[] = [];
  for (const d of diagnoses) {
    const c = bySequence.get(d.sequence);
    if (c?.remove) continue;
    result.push(c?.code ? { ...d, code: c.code } : d);
  }
  for (const [sequence, c] of bySequence) {
    if (c.code && !diagnoses.some((d) => d.sequence === sequence))
      result.push({ sequence, code: c.code, system: 'ICD-10-CM' });
  }
  return result.sort((a, b) => a.sequence - b.sequence);
}
