import type { CarcTable } from '#shared/data/carc.ts';
import type { RarcTable } from '#shared/data/rarc.ts';
import { CODER_FAMILIES, type DenialFamily, type RemittanceClaim } from '#shared/model/remittance.ts';
import { FAMILY_PRECEDENCE } from './families.ts';

/** The tables a claim is classified by: the versions in force, and the agency's own families over them. */
export interface ReasonTables {
  carc?: CarcTable;
  rarc?: RarcTable;
  /** Agency overrides (config `denials.carcFamilies`): a CARC's family, coder-related when coding/documentation. */
  carcFamilies?: Readonly<Record<string, DenialFamily>>;
  rarcFamilies?: Readonly<Record<string, DenialFamily>>;
}

export interface ReasonClass {
  /** GROUP-CARC, e.g. CO-16. */
  code: string;
  family: DenialFamily;
  coderRelated: boolean;
  known: boolean;
}

export interface Classification {
  /** The family that says most about the claim (FAMILY_PRECEDENCE); undefined without reasons or remarks. */
  family: DenialFamily | undefined;
  /** The family is a coder's (coding, documentation) and a reason counts against them. */
  coderRelated: boolean;
  reasons: ReasonClass[];
  /** Every GROUP-CARC once, in order. */
  reasonCodes: string[];
  /** The reasons that count against the coder. */
  coderReasonCodes: string[];
  remarkCodes: string[];
  /** CARCs and RARCs in neither the tables nor the overrides: reported, classified as other. */
  unknownCodes: string[];
}

/**
 * Traces a claim's adjustments (CARC with their group) and remarks (RARC) to a denial family and says
 * whether it is the coder's. A CARC the table marks `partial` (CO-16 "lacks information") is the
 * coder's only when a remark says so (MA66: principal procedure code), and then takes the remark's
 * family. An agency's override of a code's family is taken as its word, coder-related included.
 */
export function classifyClaim(
  claim: Pick<RemittanceClaim, 'adjustments' | 'remarkCodes'>,
  tables: ReasonTables,
): Classification {
  const unknown = new Set<string>();
  const remarks = [...new Set(claim.remarkCodes)];
  const remarkClasses = remarks.map((code) => {
    const override = tables.rarcFamilies?.[code];
    const entry = tables.rarc?.lookup(code);
    if (!override && !entry) unknown.add(code);
    const family = override ?? entry?.family ?? 'other';
    // An agency's override is its word; the table's family counts unless the table says it does not.
    const coderRelated =
      override !== undefined
        ? CODER_FAMILIES.has(override)
        : entry !== undefined && entry.coderFeedback !== 'no' && CODER_FAMILIES.has(entry.family);
    return { family, coderRelated };
  });
  const coderRemark = remarkClasses.find((r) => r.coderRelated);

  const seen = new Set<string>();
  const reasons: ReasonClass[] = [];
  for (const a of claim.adjustments) {
    const code = `${a.group}-${a.reason}`;
    if (seen.has(code)) continue;
    seen.add(code);
    const override = tables.carcFamilies?.[a.reason];
    const entry = tables.carc?.lookup(a.reason);
    if (!override && !entry) unknown.add(a.reason);
    let family: DenialFamily =
      override ?? entry?.family ?? (a.group === 'PR' ? 'patient_responsibility' : 'other');
    let coderRelated = false;
    if (override) coderRelated = CODER_FAMILIES.has(override);
    else if (entry?.coderFeedback === 'yes') coderRelated = CODER_FAMILIES.has(family);
    else if (entry?.coderFeedback === 'partial' && coderRemark) {
      coderRelated = true;
      if (!CODER_FAMILIES.has(family)) family = coderRemark.family;
    }
    reasons.push({ code, family, coderRelated, known: Boolean(override || entry) });
  }

  const families = new Set<DenialFamily>([
    ...reasons.map((r) => r.family),
    ...remarkClasses.map((r) => r.family),
  ]);
  const family = FAMILY_PRECEDENCE.find((f) => families.has(f));
  const coderReasonCodes = reasons.filter((r) => r.coderRelated).map((r) => r.code);
  return {
    family,
    // A reason counts against the coder only with a coder family (coding, documentation), and
    // FAMILY_PRECEDENCE puts those first: the claim's family is then a coder's too.
    coderRelated: coderReasonCodes.length > 0,
    reasons,
    reasonCodes: reasons.map((r) => r.code),
    coderReasonCodes,
    remarkCodes: remarks,
    unknownCodes: [...unknown],
  };
}
