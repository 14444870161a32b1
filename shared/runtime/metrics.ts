import { Metrics } from '@aws-lambda-powertools/metrics';

/** Embedded-metric-format metrics; dimensions are stage and agency only, never chart identifiers. */
export const metrics = new Metrics({ namespace: 'Codetrail', serviceName: 'codetrail' });
