import { Duration } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import type * as iam from 'aws-cdk-lib/aws-iam';
import type * as nodejs from 'aws-cdk-lib/aws-lambda-nodejs';
import type * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { type JobSpec, STAGE_METRICS } from '#shared/topology.ts';
import { codetrailFunction, type FunctionResources, grantSends, grantStorage } from './codetrail-function.ts';
import { notify } from './pipeline-queue.ts';

export interface ScheduledJobProps extends FunctionResources {
  readonly spec: JobSpec;
  /** The metric the job counts what it found (alarmed at 1 or more), if it counts one. */
  readonly foundMetric?: { name: string; what: string };
}

/**
 * A codetrail Lambda EventBridge runs on a schedule (one at a time: reserved concurrency 1). Its role
 * gets its `table` actions on the table (and Query on gsi1, the only index, if it queries it), its
 * `auditTable` grants, SendMessage on `sendsTo`, its `reads` and `writes` of objects, `kms:Sign` when it
 * `signs`, and the data and queue keys through DynamoDB, S3 and SQS alone; no MAC. It alarms when an invocation fails and
 * when what it looks for turns up (`foundMetric`). A failed run is not retried or dead-lettered: the
 * next scheduled run does the same work.
 */
export class ScheduledJob extends Construct {
  readonly fn: nodejs.NodejsFunction;
  readonly role: iam.Role;
  readonly logGroup: logs.LogGroup;
  readonly rule: events.Rule;
  readonly alarms: cloudwatch.Alarm[];

  constructor(scope: Construct, id: string, props: ScheduledJobProps) {
    super(scope, id);
    const { spec } = props;
    // One run at a time.
    const { fn, role, logGroup } = codetrailFunction(this, { ...props, reservedConcurrency: 1 });
    this.fn = fn;
    this.role = role;
    this.logGroup = logGroup;

    this.rule = new events.Rule(this, 'Schedule', {
      description: `codetrail ${spec.name}: every ${spec.everyMinutes} minutes`,
      schedule: events.Schedule.rate(Duration.minutes(spec.everyMinutes)),
      targets: [new targets.LambdaFunction(fn, { retryAttempts: 0 })],
    });

    grantSends(role, spec.sendsTo, props.queues, props.queueKey, { receives: false });
    grantStorage(role, spec, props);
    // The sealer alone signs the audit trail's digests: nothing else may use the signing key.
    // GetPublicKey: to check a digest a stopped run left is its own before chaining onto it.
    if (spec.signs) props.signingKey.grant(role, 'kms:Sign', 'kms:GetPublicKey');

    const period = { period: Duration.minutes(5), statistic: cloudwatch.Stats.SUM };
    const alarm = (alarmId: string, metric: cloudwatch.IMetric, what: string) =>
      new cloudwatch.Alarm(this, alarmId, {
        alarmDescription: `codetrail ${spec.name}: ${what}; see its log group`,
        metric,
        threshold: 1,
        evaluationPeriods: 1,
        comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
        treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
      });
    this.alarms = [alarm('ErrorsAlarm', fn.metricErrors(period), 'a scheduled run failed')];
    if (props.foundMetric)
      this.alarms.push(
        alarm(
          'FoundAlarm',
          new cloudwatch.Metric({
            namespace: STAGE_METRICS.namespace,
            metricName: props.foundMetric.name,
            dimensionsMap: { service: STAGE_METRICS.service, stage: spec.name },
            ...period,
          }),
          props.foundMetric.what,
        ),
      );
    notify(this.alarms, props.alarmTopics);
  }
}
