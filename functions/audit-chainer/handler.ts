import { systemClock } from '#shared/aws/ports.ts';
import { runtimeConfig } from '#shared/runtime/config.ts';
import { summarizeError } from '#shared/runtime/error-summary.ts';
import { logger } from '#shared/runtime/logger.ts';
import { fifoGroupHandler } from '#shared/runtime/sqs-handler.ts';
import { auditTrailPorts, servicePer } from '#shared/runtime/stage-ports.ts';
import { createChainerService } from './service.ts';

const service = servicePer(auditTrailPorts, ({ links, audit }) =>
  createChainerService({
    links,
    audit,
    agencies: runtimeConfig().agencies.map((a) => a.id),
    staff: runtimeConfig().staff,
    clock: systemClock,
    onError: (error) => logger.error('audit event not chained', { error: summarizeError(error) }),
  }),
);

/** The audit FIFO queue: one message group per agency, so each agency's events are chained in order, once. */
export const handler = fifoGroupHandler('audit-chainer', (agencyId, items) =>
  service().chain(agencyId, items),
);
