import { Duration } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import type * as nodejs from 'aws-cdk-lib/aws-lambda-nodejs';
import type * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { STAGE_METRICS, type StageSpec } from '#shared/topology.ts';
import { codetrailFunction, type FunctionResources, grantSends, grantStorage } from './codetrail-function.ts';
import { notify, type PipelineQueue } from './pipeline-queue.ts';

export { CONFIG_ENV_BUDGET_BYTES, copyDataFiles, LAMBDA_DATA_DIR } from './codetrail-function.ts';

export interface StageProps extends FunctionResources {
  /** The stage's settings from the topology. */
  readonly spec: StageSpec;
  /** The queue the stage consumes. */
  readonly queue: PipelineQueue;
}

/**
 * One Lambda stage of the pipeline: a codetrail function (codetrail-function.ts) whose role holds only
 * what the topology says the stage touches, and an SQS event source with partial batch responses.
 */
export class Stage extends Construct {
  readonly fn: nodejs.NodejsFunction;
  readonly role: iam.Role;
  readonly logGroup: logs.LogGroup;
  readonly eventSource: lambda.EventSourceMapping;
  /** RecordsFailed (a record it could not take), Errors (a failed invocation) and Throttles. */
  readonly alarms: cloudwatch.Alarm[];

  constructor(scope: Construct, id: string, props: StageProps) {
    super(scope, id);
    const { spec } = props;

    const { fn, role, logGroup } = codetrailFunction(this, {
      ...props,
      reservedConcurrency: spec.reservedConcurrency,
    });
    this.fn = fn;
    this.role = role;
    this.logGroup = logGroup;

    // The event source mapping polls with the function's role: exactly what the Lambda service calls
    // (ReceiveMessage, DeleteMessage, GetQueueAttributes: the AWSLambdaSQSQueueExecutionRole actions),
    // where SqsEventSource's grant would add ChangeMessageVisibility and GetQueueUrl, which nothing calls.
    this.eventSource = this.fn.addEventSourceMapping('SqsEventSource', {
      eventSourceArn: props.queue.queue.queueArn,
      batchSize: spec.batchSize,
      // A FIFO queue's event source takes no batching window.
      ...(props.queue.queue.fifo
        ? {}
        : { maxBatchingWindow: Duration.seconds(spec.maxBatchingWindowSeconds) }),
      reportBatchItemFailures: true,
      // Pollers never outnumber the reserved concurrency (2 is the SQS minimum), so fewer throttled
      // receives count against maxReceiveCount.
      maxConcurrency: Math.max(2, spec.reservedConcurrency),
    });
    this.role.addToPrincipalPolicy(
      new iam.PolicyStatement({
        actions: ['sqs:ReceiveMessage', 'sqs:DeleteMessage', 'sqs:GetQueueAttributes'],
        resources: [props.queue.queue.queueArn],
      }),
    );

    grantSends(this.role, spec.sendsTo, props.queues, props.queueKey, { receives: true });

    grantStorage(this.role, spec, props);
    if (spec.macs) props.macKey.grant(this.role, 'kms:GenerateMac');
    if (spec.samples) props.samplingKey.grant(this.role, 'kms:GenerateMac');

    // A record the stage could not take (the handler catches it and reports a batch item failure, so
    // Lambda's Errors does not count it: that is the stage's own RecordsFailed metric), an invocation
    // that failed whole (a timeout, out of memory, a crash at start-up), and any throttle (a throttled
    // receive counts toward the DLQ).
    const alarm = (id: string, metric: cloudwatch.Metric, what: string) =>
      new cloudwatch.Alarm(this, id, {
        alarmDescription: `codetrail ${spec.name}: ${what} in the last 5 minutes; see its log group`,
        metric,
        threshold: 1,
        evaluationPeriods: 1,
        comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
        treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
      });
    const period = { period: Duration.minutes(5), statistic: cloudwatch.Stats.SUM };
    const recordsFailed = new cloudwatch.Metric({
      namespace: STAGE_METRICS.namespace,
      metricName: STAGE_METRICS.recordsFailed,
      dimensionsMap: { service: STAGE_METRICS.service, stage: spec.name },
      ...period,
    });
    this.alarms = [
      alarm('RecordsFailedAlarm', recordsFailed, 'a record failed and will be retried'),
      alarm('ErrorsAlarm', this.fn.metricErrors(period), 'an invocation failed (timeout, memory, crash)'),
      alarm('ThrottlesAlarm', this.fn.metricThrottles(period), 'the function was throttled'),
    ];
    notify(this.alarms, props.alarmTopics);
  }
}
