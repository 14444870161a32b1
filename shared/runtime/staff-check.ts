import type { StaffMember } from '#shared/model/config.ts';

export type StaffRole = StaffMember['roles'][number];

/**
 * Whether the AWS identity that sent a QA message may act as the staff member it names, in one of the
 * roles. The SenderId SQS stamps on a message cannot be forged by the sender, unlike the ids in its
 * body. With no staff configured (a trial stack) the body is taken as given. Returns why not, or undefined.
 */
export function staffRefusal(
  staff: readonly StaffMember[],
  sender: string | undefined,
  claimedStaffId: string,
  roles: readonly StaffRole[],
  agencyId: string,
): string | undefined {
  if (staff.length === 0) return undefined;
  if (!sender) return 'the message carries no sender identity';
  const member = staffMemberOf(staff, sender);
  if (!member) return 'the sender is not registered staff';
  if (member.staffId !== claimedStaffId) return `the sender is ${member.staffId}, not ${claimedStaffId}`;
  if (!roles.some((r) => member.roles.includes(r))) return `${member.staffId} is not a ${roles.join(' or ')}`;
  return agencyRefusal(member, agencyId);
}

/**
 * Whether a staff member may answer for an agency: the answer queues (qa-result, billing-reply) are
 * shared, so the stage checks what IAM cannot. Returns why not, or undefined.
 */
export function agencyRefusal(member: StaffMember, agencyId: string): string | undefined {
  if (member.agencies === undefined || member.agencies.includes(agencyId)) return undefined;
  return `${member.staffId} does not work for ${agencyId}`;
}

/** The staff member whose AWS identity sent a message: a user's id, or a role's id (any of its sessions). */
export function staffMemberOf(staff: readonly StaffMember[], sender: string): StaffMember | undefined {
  return staff.find((m) => m.principal === sender || sender.startsWith(`${m.principal}:`));
}

/**
 * Who acted, as AWS vouches for it: the staff member whose identity sent the message (SQS's SenderId),
 * else that identity itself (a role session's id carries its session name: an IAM Identity Center
 * user's name). Never an id the message body names: that is only what the sender claims.
 */
export function verifiedActor(staff: readonly StaffMember[], sender: string | undefined): string {
  if (!sender) return 'sender:unknown';
  const member = staffMemberOf(staff, sender);
  return member ? `staff:${member.staffId}` : `sender:${sender}`;
}
