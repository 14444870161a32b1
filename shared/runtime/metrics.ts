import { Metrics } from '@aws-lambda-powertools/metrics';

/** Embedded-metric-format metrics; dimensions are service and stage only, never a chart or an agency. */
export const metrics = new Metrics({ namespace: 'Codetrail', serviceName: 'codetrail' });
