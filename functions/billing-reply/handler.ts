import { systemClock } from '#shared/aws/ports.ts';
import { BillingReply } from '#shared/model/messages.ts';
import { runtimeConfig } from '#shared/runtime/config.ts';
import { recordHandler } from '#shared/runtime/sqs-handler.ts';
import { servicePerPorts } from '#shared/runtime/stage-ports.ts';
import { createBillingReplyService } from './service.ts';

const service = servicePerPorts((ports) =>
  createBillingReplyService({ ports, config: runtimeConfig(), clock: systemClock }),
);

export const handler = recordHandler('billing-reply', (body, record) =>
  // SenderId: the AWS identity SQS saw send the answer; the message id keys a pull or a refused check.
  service().handle(BillingReply.parse(body), record.attributes?.SenderId, record.messageId),
);
