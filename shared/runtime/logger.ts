import { Logger } from '@aws-lambda-powertools/logger';

/**
 * One logger per process. What it may carry is PHI-free by construction: stage names, chartKeys,
 * versions, object ids, counts and error names. Never a chart, a file's content or an EMR id.
 */
export const logger = new Logger({ serviceName: 'codetrail' });
