import { LocalAuditSigner } from '#shared/audit-trail/signer.ts';
import type { AwsClients } from '#shared/aws/clients.ts';
import { KmsAuditSigner } from '#shared/aws/kms-audit-signer.ts';
import type { ArtifactStore } from '#shared/aws/ports.ts';
import type { Resources } from '#shared/aws/resources.ts';
import { AUDIT_TRAIL_PREFIX, agencyRole, PERSON_ROLES } from '#shared/topology.ts';
import { actAs } from '../local/iam-enforcement.ts';

/**
 * Every object of the agencies' trails in the stack's audit bucket (`audit-trail/<agency>/`), read as
 * each agency's compliance role: what an auditor with read access to the bucket sees.
 */
export async function readStackTrail(
  artifacts: ArtifactStore,
  agencies: readonly string[],
): Promise<Map<string, string>> {
  const files = new Map<string, string>();
  for (const agency of agencies)
    await actAs(agencyRole(PERSON_ROLES.compliance, agency), async () => {
      for await (const { key } of artifacts.list('audit', `${AUDIT_TRAIL_PREFIX}${agency}/`))
        files.set(key, await artifacts.getText('audit', key));
    });
  return files;
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
