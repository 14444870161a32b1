import { summarizeError } from '#shared/runtime/error-summary.ts';
import { logger } from '#shared/runtime/logger.ts';
import { fifoGroupHandler } from '#shared/runtime/sqs-handler.ts';
import { auditTrailPorts } from '#shared/runtime/stage-ports.ts';
import { createChainerService } from './service.ts';

let memo: { links: unknown; service: ReturnType<typeof createChainerService> } | undefined;

function service() {
  const { links } = auditTrailPorts();
  if (memo?.links !== links)
    memo = {
      links,
      service: createChainerService({
        links,
        onError: (error) => logger.error('audit event not chained', { error: summarizeError(error) }),
      }),
    };
  return memo.service;
}

/** The audit FIFO queue: one message group per agency, so each agency's events are chained in order, once. */
export const handler = fifoGroupHandler('audit-chainer', (agencyId, items) =>
  service().chain(
    agencyId,
    items.map((item) => item.body),
  ),
);
