import { describe, expect, it } from 'vitest';
import { JOBS, RECONCILER_METRIC } from '#shared/topology.ts';
import { asArray, logicalId, resourceOf, statementsOfRole, template } from './harness.ts';

/** The scheduled reconciler (issue 13, item 5): what it runs on, when, with which rights, and who hears of it. */
describe('the reconciler job', () => {
  const { template: t, built } = template();
  const c = built.stack.codetrail;
  const job = c.jobs.reconciler;
  const arnOf = (construct: Parameters<typeof logicalId>[0]) => ({
    'Fn::GetAtt': [logicalId(construct), 'Arn'],
  });

  it('runs every hour, one at a time, on EventBridge, without retry (the next hour redoes it)', () => {
    expect(resourceOf(t, job.fn).Properties).toMatchObject({
      Runtime: 'nodejs24.x',
      Architectures: ['arm64'],
      ReservedConcurrentExecutions: 1,
      TracingConfig: { Mode: 'Active' },
    });
    const rule = resourceOf(t, job.rule);
    expect(rule?.Properties.ScheduleExpression).toBe('rate(1 hour)');
    expect(rule?.Properties.Targets).toEqual([
      expect.objectContaining({ Arn: arnOf(job.fn), RetryPolicy: { MaximumRetryAttempts: 0 } }),
    ]);
  });

  it('may query the chart index and audit events, put audit events and send to the three stages it re-drives to: nothing else', () => {
    const statements = statementsOfRole(t, job.role);
    const allowed = statements.flatMap((s) => asArray(s.Action as string | string[]));
    expect(allowed.filter((a) => a.startsWith('s3:'))).toEqual([]);
    expect(allowed).not.toContain('kms:GenerateMac');
    const on = (action: string) =>
      statements.filter((s) => asArray(s.Action).includes(action)).flatMap((s) => asArray(s.Resource));
    const table = arnOf(c.table);
    const ids = (rs: unknown[]) => rs.map((r) => JSON.stringify(r)).sort();
    // Its audit event alone, in the audit table, under AUDIT#: it writes nothing else anywhere.
    expect(on('dynamodb:PutItem')).toEqual([arnOf(c.auditTable)]);
    expect(statements.find((s) => asArray(s.Action).includes('dynamodb:PutItem'))?.Condition).toEqual({
      'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': ['AUDIT#*'] },
    });
    // The index alone: it never queries the table's own partitions. In the audit table, events alone
    // (its agencies' last configuration in force).
    expect(ids(on('dynamodb:Query'))).toEqual(
      ids([{ 'Fn::Join': ['', [table, '/index/gsi1']] }, arnOf(c.auditTable)]),
    );
    const auditQuery = statements.find(
      (s) =>
        asArray(s.Action).includes('dynamodb:Query') &&
        asArray(s.Resource)[0] !== undefined &&
        JSON.stringify(asArray(s.Resource)[0]) === JSON.stringify(arnOf(c.auditTable)),
    );
    expect(auditQuery?.Condition).toEqual({
      'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': ['AUDIT#*#config'] },
    });
    expect([...new Set(allowed.filter((a) => a.startsWith('dynamodb:')))].sort()).toEqual([
      'dynamodb:PutItem',
      'dynamodb:Query',
    ]);
    expect(ids(on('sqs:SendMessage'))).toEqual(
      ids(
        ['validate', 'sample', 'billing', 'audit'].map((q) => arnOf(c.queues.lambda[q as 'validate'].queue)),
      ),
    );
    expect(allowed.filter((a) => a.startsWith('sqs:'))).toEqual(['sqs:SendMessage']);
    // The queue key for what it sends, the data key for the table: each through its service only.
    const kms = statements.filter((s) => asArray(s.Action).some((a: string) => a.startsWith('kms:')));
    for (const s of kms) expect(s.Condition?.StringEquals?.['kms:ViaService']).toBeDefined();
    expect(
      kms.find((s) => asArray(s.Resource)[0]?.['Fn::GetAtt']?.[0] === logicalId(c.keys.queue))?.Action,
    ).toBe('kms:GenerateDataKey');
  });

  it('alarms when a run fails and when it re-drove anything, to the alarm topic', () => {
    const alarms = job.alarms.map((a) => resourceOf(t, a).Properties);
    expect(alarms.map((a) => a.MetricName).sort()).toEqual([RECONCILER_METRIC, 'Errors'].sort());
    const redriven = alarms.find((a) => a.MetricName === RECONCILER_METRIC);
    expect(redriven).toMatchObject({
      Namespace: 'Codetrail',
      Threshold: 1,
      Dimensions: expect.arrayContaining([{ Name: 'stage', Value: 'reconciler' }]),
    });
    for (const a of alarms) expect(a.AlarmActions).toEqual([{ Ref: logicalId(c.alarmTopic) }]);
  });

  it('ends before the next run starts', () => {
    expect(resourceOf(t, job.fn).Properties.Timeout).toBeLessThan((JOBS[0]?.everyMinutes ?? 0) * 60);
  });
});
