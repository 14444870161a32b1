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
): string | undefined {
  if (staff.length === 0) return undefined;
  if (!sender) return 'the message carries no sender identity';
  const member = staff.find((m) => m.principal === sender || sender.startsWith(`${m.principal}:`));
  if (!member) return 'the sender is not registered staff';
  if (member.staffId !== claimedStaffId) return `the sender is ${member.staffId}, not ${claimedStaffId}`;
  if (!roles.some((r) => member.roles.includes(r))) return `${member.staffId} is not a ${roles.join(' or ')}`;
  return undefined;
}
