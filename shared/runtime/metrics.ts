import { Metrics } from '@aws-lambda-powertools/metrics';
import { STAGE_METRICS } from '#shared/topology.ts';

/** Embedded-metric-format metrics; dimensions are service and stage only, never a chart or an agency. */
export const metrics = new Metrics({
  namespace: STAGE_METRICS.namespace,
  serviceName: STAGE_METRICS.service,
});
