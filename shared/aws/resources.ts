import { BUCKETS, type BucketName, ENV, type QueueName, queues } from '#shared/topology.ts';

/** The physical names of the stack's resources, as the Lambdas see them in their environment. */
export interface Resources {
  table: string;
  /** Audit events and their hash chain: a table of its own, which stages and people may only add to. */
  auditTable: string;
  buckets: Record<BucketName, string>;
  queueUrls: Partial<Record<QueueName, string>>;
  /** KMS HMAC key for chartKeys in AWS. */
  macKeyId?: string;
  /** Local stand-in for the KMS HMAC key (and, locally, for the sampling key too). */
  localKeyFile?: string;
  /** KMS HMAC key of the sampling draws, in AWS: only QA sampling and QA result may use it. */
  samplingKeyId?: string;
  /** KMS asymmetric key (ECC_NIST_P256) that signs the audit trail's digests, in AWS. */
  signingKeyId?: string;
  /** Local stand-in for the signing key. */
  localSigningKeyFile?: string;
}

export function resourcesFromEnv(env: NodeJS.ProcessEnv = process.env): Resources {
  const table = env[ENV.table];
  if (!table) throw new Error(`${ENV.table} is not set`);
  const auditTable = env[ENV.auditTable];
  if (!auditTable) throw new Error(`${ENV.auditTable} is not set`);
  const buckets = {} as Record<BucketName, string>;
  for (const b of BUCKETS) buckets[b] = env[ENV.bucket(b)] ?? '';
  const queueUrls: Partial<Record<QueueName, string>> = {};
  for (const q of queues()) {
    const url = env[ENV.queueUrl(q.name)];
    if (url) queueUrls[q.name] = url;
  }
  const resources: Resources = { table, auditTable, buckets, queueUrls };
  if (env[ENV.macKeyId]) resources.macKeyId = env[ENV.macKeyId];
  if (env[ENV.localKeyFile]) resources.localKeyFile = env[ENV.localKeyFile];
  if (env[ENV.samplingKeyId]) resources.samplingKeyId = env[ENV.samplingKeyId];
  if (env[ENV.signingKeyId]) resources.signingKeyId = env[ENV.signingKeyId];
  if (env[ENV.localSigningKeyFile]) resources.localSigningKeyFile = env[ENV.localSigningKeyFile];
  return resources;
}

export function resourcesToEnv(resources: Resources): Record<string, string> {
  const env: Record<string, string> = {
    [ENV.table]: resources.table,
    [ENV.auditTable]: resources.auditTable,
  };
  for (const [b, name] of Object.entries(resources.buckets)) env[ENV.bucket(b as BucketName)] = name;
  for (const [q, url] of Object.entries(resources.queueUrls))
    if (url) env[ENV.queueUrl(q as QueueName)] = url;
  if (resources.macKeyId) env[ENV.macKeyId] = resources.macKeyId;
  if (resources.localKeyFile) env[ENV.localKeyFile] = resources.localKeyFile;
  if (resources.samplingKeyId) env[ENV.samplingKeyId] = resources.samplingKeyId;
  if (resources.signingKeyId) env[ENV.signingKeyId] = resources.signingKeyId;
  if (resources.localSigningKeyFile) env[ENV.localSigningKeyFile] = resources.localSigningKeyFile;
  return env;
}
