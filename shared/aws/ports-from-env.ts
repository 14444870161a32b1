import type { ChainLinks } from '#shared/audit-trail/chainer.ts';
import type { SealedChain, TrailObjects } from '#shared/audit-trail/sealer.ts';
import { type AuditSigner, LocalAuditSigner } from '#shared/audit-trail/signer.ts';
import { PhiFreeError } from '#shared/runtime/error-summary.ts';
import type { AwsClients } from './clients.ts';
import { type AuditChainFeed, DynamoAuditLog } from './dynamo-audit-log.ts';
import { DynamoBatchStore } from './dynamo-batch-store.ts';
import { DynamoChainLinks } from './dynamo-chain-links.ts';
import { DynamoChartStore } from './dynamo-chart-store.ts';
import { DynamoCoderLedger } from './dynamo-coder-ledger.ts';
import { DynamoMemberIndex } from './dynamo-member-index.ts';
import { DynamoObjectLedger } from './dynamo-object-ledger.ts';
import { DynamoRemittanceLedger } from './dynamo-remittance-ledger.ts';
import { DynamoReviewBoard } from './dynamo-review-board.ts';
import { DynamoSealedChain } from './dynamo-sealed-chain.ts';
import { KmsAuditSigner } from './kms-audit-signer.ts';
import { KmsKeyService } from './kms-key-service.ts';
import { LocalKeyService } from './local-key-service.ts';
import type { AuditLog, Clock, KeyService, Ports } from './ports.ts';
import type { Resources } from './resources.ts';
import { S3ArtifactStore } from './s3-artifact-store.ts';
import { S3TrailObjects } from './s3-trail-objects.ts';
import { SqsAuditFeed } from './sqs-audit-feed.ts';
import { SqsStageQueue, type SqsStageQueueOptions } from './sqs-stage-queue.ts';

export type { Ports } from './ports.ts';

export interface BuildPortsOptions {
  /** Stamps updatedAt on chart transitions that do not carry one; tests pass their fixed clock. */
  clock?: Clock;
  queue?: SqsStageQueueOptions;
}

/** KMS in AWS; the file-backed key locally. Never neither: a chartKey made without a key would be guessable. */
export function keyServiceFor(clients: AwsClients, resources: Resources): KeyService {
  if (resources.macKeyId) return new KmsKeyService(clients.kms, resources.macKeyId);
  if (resources.localKeyFile) return new LocalKeyService(resources.localKeyFile);
  throw new Error('no MAC key configured: set the KMS key id (in AWS) or the local key file');
}

/**
 * The sampling draws' key: its own KMS HMAC key in AWS (only QA sampling and QA result may use it, so no
 * reviewer or coder can compute which chart will be drawn); locally the identifiers' key stands for both,
 * so the examples draw the same charts on every machine (no KMS call is made locally either way).
 */
function samplingKeyServiceFor(
  clients: AwsClients,
  resources: Resources,
  identifiers: KeyService,
): KeyService {
  if (resources.samplingKeyId) return new KmsKeyService(clients.kms, resources.samplingKeyId);
  if (resources.localKeyFile) return identifiers;
  // A function with no sampling key draws nothing: it fails only if it tries.
  return {
    mac: () =>
      Promise.reject(new PhiFreeError('no sampling key configured: only QA sampling and QA result draw')),
  };
}

/** The audit FIFO queue; a function without its URL fails only when it records an event. */
function auditFeedFor(clients: AwsClients, resources: Resources): AuditChainFeed {
  const url = resources.queueUrls.audit;
  if (url) return new SqsAuditFeed(clients.sqs, url);
  return {
    send: () =>
      Promise.reject(new PhiFreeError('the audit queue is not configured: audit events cannot be chained')),
  };
}

/** The ports every stage works over, built over one set of clients (once per execution environment). */
export function buildPorts(
  clients: AwsClients,
  resources: Resources,
  options: BuildPortsOptions = {},
): Ports {
  const keys = keyServiceFor(clients, resources);
  return {
    charts: new DynamoChartStore(clients.dynamo, resources.table, options.clock),
    batches: new DynamoBatchStore(clients.dynamo, resources.table),
    ledger: new DynamoObjectLedger(clients.dynamo, resources.table),
    artifacts: new S3ArtifactStore(clients.s3, resources.buckets),
    queue: new SqsStageQueue(clients.sqs, resources.queueUrls, options.queue),
    audit: new DynamoAuditLog(clients.dynamo, resources.auditTable, auditFeedFor(clients, resources)),
    keys,
    samplingKeys: samplingKeyServiceFor(clients, resources, keys),
    coders: new DynamoCoderLedger(clients.dynamo, resources.table),
    remittances: new DynamoRemittanceLedger(clients.dynamo, resources.table),
    reviews: new DynamoReviewBoard(clients.dynamo, resources.table),
    members: new DynamoMemberIndex(clients.dynamo, resources.table),
  };
}

/** What the audit chainer and sealer work over: the chain in the audit table, the trail's bucket, the signer. */
export interface AuditTrailPorts {
  links: ChainLinks;
  /** The audit log, for what the trail's own stages record (the chainer's refused messages). */
  audit: AuditLog;
  sealedChain: SealedChain;
  trail: TrailObjects;
  /** Built on first use: only the sealer signs (and holds the key). */
  signer(): AuditSigner;
}

export function buildAuditTrailPorts(clients: AwsClients, resources: Resources): AuditTrailPorts {
  let signer: AuditSigner | undefined;
  return {
    links: new DynamoChainLinks(clients.dynamo, resources.auditTable),
    audit: new DynamoAuditLog(clients.dynamo, resources.auditTable, auditFeedFor(clients, resources)),
    sealedChain: new DynamoSealedChain(clients.dynamo, resources.auditTable),
    trail: new S3TrailObjects(clients.s3, resources.buckets.audit),
    signer() {
      signer ??= auditSignerFor(clients, resources);
      return signer;
    },
  };
}

/** KMS in AWS; the file-backed key locally. Never neither: an unsigned trail proves nothing. */
function auditSignerFor(clients: AwsClients, resources: Resources): AuditSigner {
  if (resources.signingKeyId) return new KmsAuditSigner(clients.kms, resources.signingKeyId);
  if (resources.localSigningKeyFile) return new LocalAuditSigner(resources.localSigningKeyFile);
  throw new Error('no signing key configured: set the KMS key id (in AWS) or the local key file');
}
