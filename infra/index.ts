export { AlarmTopic, type AlarmTopicProps } from './alarm-topic.ts';
export { AuditTrail, type AuditTrailProps } from './audit-trail.ts';
export {
  Codetrail,
  type CodetrailProps,
  defaultEntry,
  PROJECT_ROOT,
} from './codetrail.ts';
export { CodetrailStack, type CodetrailStackProps } from './codetrail-stack.ts';
export { CodetrailKeys, type CodetrailKeysProps } from './keys.ts';
export { loadConfig } from './load-config.ts';
export {
  ACKNOWLEDGMENTS,
  type Acknowledged,
  type AcknowledgmentRule,
  acknowledgeFindings,
  addNagPacks,
  qualifiedId,
  resolveAcknowledgmentId,
} from './nag.ts';
export { OUTPUT, pascal } from './names.ts';
export { DLQ_RETENTION, PipelineQueue, type PipelineQueueProps } from './pipeline-queue.ts';
export {
  AccessLogBucket,
  type AccessLogBucketProps,
  type ObjectLockMode,
  SecureBucket,
  type SecureBucketProps,
} from './secure-bucket.ts';
export {
  CONFIG_ENV_BUDGET_BYTES,
  copyDataFiles,
  LAMBDA_DATA_DIR,
  Stage,
  type StageProps,
} from './stage.ts';
