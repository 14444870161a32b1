import { parseTrailKey } from '#shared/audit-trail/segments.ts';
import { LocalAuditSigner } from '#shared/audit-trail/signer.ts';
import { sealedInWindow, type TrailWindow } from '#shared/audit-trail/verify.ts';
import type { AwsClients } from '#shared/aws/clients.ts';
import { KmsAuditSigner } from '#shared/aws/kms-audit-signer.ts';
import type { ArtifactStore } from '#shared/aws/ports.ts';
import type { Resources } from '#shared/aws/resources.ts';
import { AUDIT_TRAIL_PREFIX, agencyRole, PERSON_ROLES } from '#shared/topology.ts';
import { actAs } from '../local/iam-enforcement.ts';
import { isoDay } from './calendar-day.ts';

/**
 * The objects of the agencies' trails in the stack's audit bucket (`audit-trail/<agency>/`), read as
 * each agency's compliance role: what an auditor with read access to the bucket sees. Every digest is
 * read; with a window, only the segments sealed in it (the others are not needed to check it).
 */
export async function readStackTrail(
  artifacts: ArtifactStore,
  agencies: readonly string[],
  window?: TrailWindow,
): Promise<Map<string, string>> {
  const files = new Map<string, string>();
  for (const agency of agencies)
    await actAs(agencyRole(PERSON_ROLES.compliance, agency), async () => {
      const keys: string[] = [];
      for await (const { key } of artifacts.list('audit', `${AUDIT_TRAIL_PREFIX}${agency}/`)) keys.push(key);
      const named = keys.flatMap((key) => {
        const parsed = parseTrailKey(key);
        return parsed ? [{ key, ...parsed }] : [];
      });
      const signedAt = new Map<number, string>();
      await inParallel(
        named.filter((t) => t.kind === 'digest'),
        async ({ key, index }) => {
          const text = await artifacts.getText('audit', key);
          files.set(key, text);
          const at = signedAtOf(text);
          if (at) signedAt.set(index, at);
        },
      );
      // A segment whose digest does not say when it was sealed is read: the check will say why.
      const wanted = named.filter(({ kind, index }) => {
        const at = signedAt.get(index);
        return kind === 'segment' && (!at || sealedInWindow(at, signedAt.get(index - 1), window));
      });
      await inParallel(wanted, async ({ key }) => {
        files.set(key, await artifacts.getText('audit', key));
      });
    });
  return files;
}

/** Reads a trail's objects some at a time: a year of hourly segments is thousands of objects. */
async function inParallel<T>(items: readonly T[], work: (item: T) => Promise<void>): Promise<void> {
  for (let i = 0; i < items.length; i += 16) await Promise.all(items.slice(i, i + 16).map(work));
}

function signedAtOf(text: string): string | undefined {
  try {
    const at = (JSON.parse(text) as { signedAt?: unknown }).signedAt;
    return typeof at === 'string' ? at : undefined;
  } catch {
    return undefined;
  }
}

/**
 * `--from` and `--to` (dates, YYYY-MM-DD, both included) as a window of instants; undefined when
 * neither is given. A bad date fails with the option's name.
 */
export function trailWindow(from?: string, to?: string): TrailWindow | undefined {
  if (from === undefined && to === undefined) return undefined;
  const window = {
    from: from === undefined ? '0000-01-01T00:00:00.000Z' : `${isoDay(from, '--from')}T00:00:00.000Z`,
    to: to === undefined ? '9999-12-31T23:59:59.999Z' : `${isoDay(to, '--to')}T23:59:59.999Z`,
  };
  if (window.from > window.to) throw new Error('--from: after --to');
  return window;
}

/**
 * The public half of the stack's signing key: from KMS (GetPublicKey, which the compliance role may
 * call), or locally from the key file. Keep a copy apart from the stack: an auditor should check the
 * trail against a key they were given, not one read from the system under audit.
 */
export async function stackPublicKey(
  clients: AwsClients,
  resources: Resources,
  agency: string,
): Promise<string> {
  if (resources.signingKeyId) {
    const signer = new KmsAuditSigner(clients.kms, resources.signingKeyId);
    return actAs(agencyRole(PERSON_ROLES.compliance, agency), () => signer.publicKeyPem());
  }
  const local = resources.localSigningKeyFile && LocalAuditSigner.publicKeyOf(resources.localSigningKeyFile);
  if (!local) throw new Error('the stack has no signing key yet: nothing has been sealed');
  return local;
}
