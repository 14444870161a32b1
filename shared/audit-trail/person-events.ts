import type { AuditEvent } from '#shared/aws/ports.ts';
import { sha256Hex } from '#shared/identity/identifiers.ts';

/**
 * Audit events a person's own command records, not a stage: a chart they opened, a payer's documentation
 * request they logged. Each kind has one subject per agency, and a person's role may add events under
 * these subjects alone (PutItem, `dynamodb:LeadingKeys`), so nothing a person records can sit among a
 * chart's own events or pass for a stage's. The chain seals them like any other; CloudTrail's DynamoDB
 * data events name the principal that wrote each, against the actor the event names.
 */
export const PERSON_SUBJECTS = {
  /** Every time a person's command opens a chart file: QA review, billing pull, an audit packet. */
  access: 'access',
  /** The agency's register of additional documentation requests (`codetrail adr`). */
  adrs: 'adrs',
} as const;

/** The kinds of event a person's command records under each of those subjects; the chainer takes no other. */
const PERSON_EVENT_TYPES: Readonly<Record<string, readonly string[]>> = {
  [PERSON_SUBJECTS.access]: ['chart.opened'],
  [PERSON_SUBJECTS.adrs]: ['adr.opened', 'adr.closed'],
};

/**
 * Why an event under a person's own subject is not one a person's command records (its kind, or an actor
 * that is a stage's); undefined for any other subject or a proper person event.
 */
export function personEventRefusal(
  event: Pick<AuditEvent, 'subject' | 'type' | 'actor'>,
): string | undefined {
  const allowed = PERSON_EVENT_TYPES[event.subject];
  if (!allowed) return undefined;
  if (!allowed.includes(event.type))
    return `${event.subject}: an event of another kind than a person records`;
  if (String(event.actor).startsWith('stage:'))
    return `${event.subject}: an event naming a stage as its actor`;
  return undefined;
}

/**
 * The person a stated actor names, as a role session's name: `arn:<partition>:sts::<account>:assumed-role/<role>/<session>`
 * (what a command acting in AWS states: its caller identity) or `local:<user>` (locally); undefined for
 * any other actor.
 */
function statedSession(actor: string): string | undefined {
  return (
    /^arn:aws[a-z-]*:sts::\d{12}:assumed-role\/[^/]+\/([^/]+)$/.exec(actor)?.[1] ??
    /^local:(.+)$/.exec(actor)?.[1]
  );
}

/**
 * Why a person's own event was not sent by the person it names. The SQS SenderId its chain message came
 * with is AWS's word (the sender cannot forge it), and a person's role session is named after the person
 * (the person roles' trust requires `sts:RoleSessionName` = `${aws:username}`; IAM Identity Center names
 * its sessions after the user): so the event is chained only when that session is the one its actor
 * names. An actor that names no session, or a sender that is not a role session, cannot be vouched for
 * and is refused too. Undefined for a stage's event (its subject is not a person's).
 */
export function senderRefusal(
  event: Pick<AuditEvent, 'subject' | 'actor'>,
  sender: string | undefined,
): string | undefined {
  if (!PERSON_EVENT_TYPES[event.subject]) return undefined;
  if (!sender) return `${event.subject}: a person's event sent with no sender identity`;
  const colon = sender.indexOf(':');
  const sent = colon > 0 ? sender.slice(colon + 1) : '';
  if (!sent) return `${event.subject}: a person's event not sent from a role session`;
  const stated = statedSession(String(event.actor));
  if (stated === undefined) return `${event.subject}: an event whose actor names no role session`;
  if (stated !== sent) return `${event.subject}: the event names another person than the one who sent it`;
  return undefined;
}

/**
 * Why an audit-table item is not what its partition (agency and subject) says: another agency's, filed
 * under another subject, or under a person's own subject not one a person records. An item a person's
 * role put there dressed as a chart's or a stage's event is refused by the chainer and not shown.
 */
export function filingRefusal(agencyId: string, subject: string, event: AuditEvent): string | undefined {
  if (event.agencyId !== agencyId) return "the recorded audit event is another agency's";
  if (event.subject !== subject) return 'the recorded audit event is filed under another subject';
  return personEventRefusal(event);
}

/** An audit-table item is what its partition says (`filingRefusal` finds nothing). */
export function filedAs(agencyId: string, subject: string, event: AuditEvent): boolean {
  return filingRefusal(agencyId, subject, event) === undefined;
}

export type ChartOpenPurpose =
  | 'qa-review'
  | 'qa-second-review'
  | 'qa-dispute'
  | 'billing'
  | 'audit-packet'
  /** A report's `--reveal`: the chart id read from the file, to show beside the chartKey. */
  | 'reveal';

/** A person opened a chart version's file(s), for a purpose: who, when, which chart, never what it holds. */
export function chartOpenedEvent(args: {
  agencyId: string;
  chartKey: string;
  version: number;
  purpose: ChartOpenPurpose;
  actor: string;
  at: string;
}): AuditEvent {
  const { agencyId, chartKey, version, purpose, actor, at } = args;
  return {
    type: 'chart.opened',
    agencyId,
    subject: PERSON_SUBJECTS.access,
    actor,
    at,
    // Every opening is its own event: by whom, when, what, why.
    idempotencyKey: sha256Hex(`${actor}|${at}|${chartKey}|${version}|${purpose}`).slice(0, 24),
    detail: { chartKey, version, purpose },
  };
}
