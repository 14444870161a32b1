import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { MetricUnit } from '@aws-lambda-powertools/metrics';
import { logMetrics } from '@aws-lambda-powertools/metrics/middleware';
import middy from '@middy/core';
import { systemClock } from '#shared/aws/ports.ts';
import { bundledTables } from '#shared/data/bundled-tables.ts';
import { runtimeConfig } from '#shared/runtime/config.ts';
import { summarizeError } from '#shared/runtime/error-summary.ts';
import { logger } from '#shared/runtime/logger.ts';
import { metrics } from '#shared/runtime/metrics.ts';
import { servicePerPorts } from '#shared/runtime/stage-ports.ts';
import { RECONCILER_METRIC } from '#shared/topology.ts';
import { createConfigRecorder } from './config-recorder.ts';
import { createReconcilerService } from './service.ts';

/** The code tables bundled with this function never change while it lives: hashed on its first run alone. */
let bundled: ReturnType<typeof bundledTables> | undefined;
const tablesOfThisBundle = () => {
  bundled ??= bundledTables();
  return bundled;
};

const service = servicePerPorts((ports) =>
  createReconcilerService({ ports, config: runtimeConfig(), clock: systemClock }),
);
const configRecorder = servicePerPorts((ports) =>
  createConfigRecorder({ ports, config: runtimeConfig(), tables: tablesOfThisBundle, clock: systemClock }),
);

/** EventBridge's scheduled event carries nothing the reconciler needs: it reads the table. */
export const handler = middy(async () => {
  metrics.addDimension('stage', 'reconciler');
  // What the charts are judged by, recorded first when a deployment changed it. A failure here must not
  // keep lost messages stranded: the re-drive runs all the same, and the run fails after it (alarmed).
  let configFailure: unknown;
  try {
    const recorded = await configRecorder().recordInForce();
    if (recorded.length > 0)
      logger.info('recorded the configuration and code tables in force', { agencies: recorded });
  } catch (error) {
    configFailure = error;
    logger.error('the configuration in force was not recorded', { error: summarizeError(error) });
  }
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
  if (configFailure) throw new Error('the configuration in force was not recorded: see the log');
  return { redriven: stranded.length };
})
  .use(injectLambdaContext(logger, { resetKeys: true }))
  .use(logMetrics(metrics));
