import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { MetricUnit } from '@aws-lambda-powertools/metrics';
import { logMetrics } from '@aws-lambda-powertools/metrics/middleware';
import middy from '@middy/core';
import { systemClock } from '#shared/aws/ports.ts';
import { runtimeConfig } from '#shared/runtime/config.ts';
import { logger } from '#shared/runtime/logger.ts';
import { metrics } from '#shared/runtime/metrics.ts';
import { servicePerPorts } from '#shared/runtime/stage-ports.ts';
import { RECONCILER_METRIC } from '#shared/topology.ts';
import { createReconcilerService } from './service.ts';

const service = servicePerPorts((ports) =>
  createReconcilerService({ ports, config: runtimeConfig(), clock: systemClock }),
);

/** EventBridge's scheduled event carries nothing the reconciler needs: it reads the table. */
export const handler = middy(async () => {
  metrics.addDimension('stage', 'reconciler');
  const stranded = await service().run();
  metrics.addMetric(RECONCILER_METRIC, MetricUnit.Count, stranded.length);
  // Chart keys and statuses only: no PHI.
  if (stranded.length > 0)
    logger.warn('re-drove stranded chart versions', {
      count: stranded.length,
      charts: stranded
        .slice(0, 50)
        .map((s) => ({ chartKey: s.chartKey, version: s.version, status: s.status })),
    });
  else logger.info('no stranded chart version');
  return { redriven: stranded.length };
})
  .use(injectLambdaContext(logger, { resetKeys: true }))
  .use(logMetrics(metrics));
