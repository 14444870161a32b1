import type { ClaimTarget, RemittanceLedger } from '#shared/aws/ports.ts';
import { byPayerOrder, type RemittanceRecord } from '#shared/model/remittance.ts';

/** The remittance ledger in memory, with the adapter's write-once semantics and orderings. */
export function memoryRemittanceLedger(): RemittanceLedger {
  const claims = new Map<string, ClaimTarget>();
  const aliases = new Map<string, string>();
  const payerClaims = new Map<string, string>();
  const records = new Map<string, RemittanceRecord>();
  const mappingChanges = new Map<string, string>();
  const byTime = (a: RemittanceRecord, b: RemittanceRecord) =>
    a.receivedAt.localeCompare(b.receivedAt) || a.remitId.localeCompare(b.remitId);
  return {
    async indexClaim(claimRef, target) {
      if (!claims.has(claimRef)) claims.set(claimRef, { ...target });
    },
    async findClaim(claimRef) {
      const target = claims.get(claimRef);
      return target ? { ...target } : undefined;
    },
    async putAlias(agencyId, aliasKey, claimRef) {
      aliases.set(`${agencyId}#${aliasKey}`, claimRef);
    },
    async aliasOf(agencyId, aliasKey) {
      return aliases.get(`${agencyId}#${aliasKey}`);
    },
    async indexPayerClaim(agencyId, icnKey, claimRef) {
      if (!payerClaims.has(`${agencyId}#${icnKey}`)) payerClaims.set(`${agencyId}#${icnKey}`, claimRef);
    },
    async payerClaimOf(agencyId, icnKey) {
      return payerClaims.get(`${agencyId}#${icnKey}`);
    },
    async noteMappingChange(agencyId, at) {
      const before = mappingChanges.get(agencyId);
      if (!before || before < at) mappingChanges.set(agencyId, at);
    },
    async mappingChangedAt(agencyId) {
      return mappingChanges.get(agencyId);
    },
    async record(record) {
      const id = `${record.chartKey}#${record.version}#${record.remitId}`;
      if (records.has(id)) return false;
      records.set(id, structuredClone(record));
      return true;
    },
    async forVersion(chartKey, version) {
      return [...records.values()]
        .filter((r) => r.chartKey === chartKey && r.version === version)
        .sort(byPayerOrder)
        .map((r) => structuredClone(r));
    },
    async *list(agencyId, since) {
      const out = [...records.values()]
        .filter((r) => r.agencyId === agencyId && (!since || r.receivedAt >= since))
        .sort(byTime);
      for (const r of out) yield structuredClone(r);
    },
  };
}
