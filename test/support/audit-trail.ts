import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { appendToChain, emptyHead } from '#shared/audit-trail/chain.ts';
import { type DigestFile, sealSegment } from '#shared/audit-trail/segments.ts';
import { LocalAuditSigner } from '#shared/audit-trail/signer.ts';

/** A signer with a fresh local key, made once per test file. */
export function testSigner(): LocalAuditSigner {
  return new LocalAuditSigner(join(mkdtempSync(join(tmpdir(), 'codetrail-signer-')), 'audit-signing.pem'));
}

/** A synthetic audit event: identifiers only, as codetrail's are. */
export function syntheticEvent(agencyId: string, n: number) {
  return {
    eventId: `ev-${agencyId}-${n}`,
    event: {
      type: n % 3 === 0 ? 'chart.validated' : n % 3 === 1 ? 'verdict.applied' : 'batch.handed-off',
      agencyId,
      subject: `chart:${agencyId}.ck${String(n).padStart(6, '0')}:v1`,
      actor: n % 2 === 0 ? 'stage:validation' : 'staff:qa-7',
      at: new Date(Date.UTC(2026, 11, 1) + n * 60_000).toISOString(),
      idempotencyKey: `k${n}`,
      detail: { findings: n % 5, ruleIds: [`HH-${n % 7}`], draw: (n % 97) / 97 },
    },
  };
}

/**
 * A trail of `perAgency` events for each agency, sealed in segments of `segmentSize`, as the audit
 * bucket would hold it: key to text.
 */
export async function buildTrail(
  signer: LocalAuditSigner,
  agencies: readonly string[],
  perAgency: number,
  segmentSize: number,
): Promise<{ files: Map<string, string> }> {
  const files = new Map<string, string>();
  for (const agencyId of agencies) {
    const events = Array.from({ length: perAgency }, (_, n) => syntheticEvent(agencyId, n));
    const { chained } = appendToChain(agencyId, emptyHead(), events);
    let previous: DigestFile | undefined;
    for (let i = 0; i < chained.length; i += segmentSize) {
      const sealed = await sealSegment(
        agencyId,
        chained.slice(i, i + segmentSize),
        previous,
        signer,
        '2026-12-07T12:00:00.000Z',
      );
      files.set(sealed.key, sealed.text);
      files.set(sealed.digestKey, `${JSON.stringify(sealed.digest)}\n`);
      previous = sealed.digest;
    }
  }
  return { files };
}
