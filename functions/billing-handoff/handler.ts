import { MetricUnit } from '@aws-lambda-powertools/metrics';
import { systemClock } from '#shared/aws/ports.ts';
import { runtimeConfig } from '#shared/runtime/config.ts';
import { metrics } from '#shared/runtime/metrics.ts';
import { batchHandler } from '#shared/runtime/sqs-handler.ts';
import { servicePerPorts } from '#shared/runtime/stage-ports.ts';
import { createBillingHandoffService } from './service.ts';

const service = servicePerPorts((ports) =>
  createBillingHandoffService({
    ports,
    config: runtimeConfig(),
    clock: systemClock,
    // A coding SLA breach is a CloudWatch metric (EMF), dimensioned by stage only: never by chart.
    onMetric: (name, value) => metrics.addMetric(name, MetricUnit.Count, value),
  }),
);

export const handler = batchHandler('billing-handoff', (items) => service().handle(items));
