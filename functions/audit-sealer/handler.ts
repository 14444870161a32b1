import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { MetricUnit } from '@aws-lambda-powertools/metrics';
import { logMetrics } from '@aws-lambda-powertools/metrics/middleware';
import middy from '@middy/core';
import { systemClock } from '#shared/aws/ports.ts';
import { runtimeConfig } from '#shared/runtime/config.ts';
import { summarizeError } from '#shared/runtime/error-summary.ts';
import { logger } from '#shared/runtime/logger.ts';
import { metrics } from '#shared/runtime/metrics.ts';
import { auditTrailPorts } from '#shared/runtime/stage-ports.ts';
import { AUDIT_SEALER_METRIC } from '#shared/topology.ts';
import { createSealerService } from './service.ts';

/**
 * EventBridge runs it every hour: each agency's newly chained events become segments with signed
 * digests in the audit bucket. A run that fails is alarmed; the next one carries on where sealing stopped.
 */
export const handler = middy(async () => {
  metrics.addDimension('stage', 'audit-sealer');
  const { sealed, failed } = await createSealerService({
    ports: auditTrailPorts(),
    agencies: runtimeConfig().agencies.map((a) => a.id),
    clock: systemClock,
  }).run();
  const events = sealed.reduce((n, s) => n + s.events, 0);
  metrics.addMetric(AUDIT_SEALER_METRIC, MetricUnit.Count, events);
  // Agency ids and counts only: no PHI.
  logger.info('sealed the audit trail', {
    sealed: sealed.map((s) => ({
      agency: s.agencyId,
      segments: s.segments,
      events: s.events,
      quiet: s.quiet ?? false,
    })),
  });
  for (const f of failed)
    logger.error('an agency could not be sealed', { agency: f.agencyId, error: summarizeError(f.error) });
  // A failed agency fails the run: its Errors alarm pages someone; the others are sealed already.
  if (failed.length > 0)
    throw new Error(`the audit trail of ${failed.map((f) => f.agencyId).join(', ')} was not sealed`);
  return { sealed };
})
  .use(injectLambdaContext(logger, { resetKeys: true }))
  .use(logMetrics(metrics));
