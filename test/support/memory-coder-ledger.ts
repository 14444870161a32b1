import type { CoderLedger } from '#shared/aws/ports.ts';
import {
  CODER_PROFILE_SK,
  categoryPk,
  coderPk,
  coderRecordKey,
  PROBATION_EXIT_SK,
} from '#shared/aws/table-keys.ts';
import type { CodedRecord, CoderRecord, DenialMark, DisputeRecord, ReviewRecord } from '#shared/model/qa.ts';

/** The coder ledger in memory, with the adapter's keys and write-once semantics. */
export function memoryCoderLedger(): CoderLedger {
  const items = new Map<string, Map<string, Record<string, unknown>>>();
  const putOnce = (pk: string, sk: string, item: Record<string, unknown>): boolean => {
    const partition = items.get(pk) ?? new Map<string, Record<string, unknown>>();
    items.set(pk, partition);
    if (partition.has(sk)) return false;
    partition.set(sk, structuredClone(item));
    return true;
  };
  const range = (pk: string, prefix: string, since = '') =>
    [...(items.get(pk)?.entries() ?? [])]
      .filter(([sk]) => sk.startsWith(prefix) && sk >= `${prefix}${since}`)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
      .map(([, item]) => structuredClone(item));
  return {
    async record(record: CoderRecord) {
      const { pk, sk } = coderRecordKey(record);
      if (record.kind === 'coded') putOnce(pk, CODER_PROFILE_SK, { coderId: record.coderId });
      const written = putOnce(pk, sk, record);
      if (record.kind === 'denial' && record.category)
        putOnce(categoryPk(record.agencyId, record.category), sk, record);
      return written;
    },
    async firstCoded(agencyId, coderId, limit) {
      return range(coderPk(agencyId, coderId), 'CODED#').slice(0, limit) as CodedRecord[];
    },
    async *reviews(agencyId, coderId, since) {
      for (const r of range(coderPk(agencyId, coderId), 'REVIEW#', since)) yield r as ReviewRecord;
    },
    async denials(agencyId, coderId, since) {
      return range(coderPk(agencyId, coderId), 'DENIAL#', since) as DenialMark[];
    },
    async disputes(agencyId, coderId, since) {
      return range(coderPk(agencyId, coderId), 'DISPUTE#', since) as DisputeRecord[];
    },
    async categoryDenials(agencyId, category, since) {
      return range(categoryPk(agencyId, category), 'DENIAL#', since).length;
    },
    async probationEndedAt(agencyId, coderId) {
      return items.get(coderPk(agencyId, coderId))?.get(PROBATION_EXIT_SK)?.at as string | undefined;
    },
    async endProbation(agencyId, coderId, at) {
      return putOnce(coderPk(agencyId, coderId), PROBATION_EXIT_SK, { at });
    },
    async *coders(agencyId) {
      const prefix = coderPk(agencyId, '');
      for (const [pk, partition] of [...items.entries()].sort(([a], [b]) => (a < b ? -1 : 1)))
        if (pk.startsWith(prefix) && partition.has(CODER_PROFILE_SK)) yield pk.slice(prefix.length);
    },
  };
}
