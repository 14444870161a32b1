import { AGENCY_PLACEHOLDER } from '#shared/topology.ts';

/**
 * Text of one agency's policy or call with its agency made `{agency}`, wherever a key names it: an
 * object key (`charts/<agency>/`) and a partition key (`BATCH#<agency>#`, and `CHART#<agency>.` since a
 * chartKey leads with its agency). One place, so the role snapshot and the recorded calls agree.
 */
export function withAgencyPlaceholder(text: string, agency: string): string {
  return text
    .replaceAll(`/${agency}/`, `/${AGENCY_PLACEHOLDER}/`)
    .replaceAll(`#${agency}#`, `#${AGENCY_PLACEHOLDER}#`)
    .replaceAll(`#${agency}.`, `#${AGENCY_PLACEHOLDER}.`);
}
