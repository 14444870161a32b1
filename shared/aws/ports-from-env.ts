import type { AwsClients } from './clients.ts';
import { DynamoAuditLog } from './dynamo-audit-log.ts';
import { DynamoBatchStore } from './dynamo-batch-store.ts';
import { DynamoChartStore } from './dynamo-chart-store.ts';
import { DynamoCoderLedger } from './dynamo-coder-ledger.ts';
import { DynamoObjectLedger } from './dynamo-object-ledger.ts';
import { DynamoRemittanceLedger } from './dynamo-remittance-ledger.ts';
import { DynamoReviewBoard } from './dynamo-review-board.ts';
import { KmsKeyService } from './kms-key-service.ts';
import { LocalKeyService } from './local-key-service.ts';
import type { Clock, KeyService, Ports } from './ports.ts';
import type { Resources } from './resources.ts';
import { S3ArtifactStore } from './s3-artifact-store.ts';
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

/** The ports every stage works over, built over one set of clients (once per execution environment). */
export function buildPorts(
  clients: AwsClients,
  resources: Resources,
  options: BuildPortsOptions = {},
): Ports {
  return {
    charts: new DynamoChartStore(clients.dynamo, resources.table, options.clock),
    batches: new DynamoBatchStore(clients.dynamo, resources.table),
    ledger: new DynamoObjectLedger(clients.dynamo, resources.table),
    artifacts: new S3ArtifactStore(clients.s3, resources.buckets),
    queue: new SqsStageQueue(clients.sqs, resources.queueUrls, options.queue),
    audit: new DynamoAuditLog(clients.dynamo, resources.table),
    keys: keyServiceFor(clients, resources),
    coders: new DynamoCoderLedger(clients.dynamo, resources.table),
    remittances: new DynamoRemittanceLedger(clients.dynamo, resources.table),
    reviews: new DynamoReviewBoard(clients.dynamo, resources.table),
  };
}
