import { systemClock } from '#shared/aws/ports.ts';
import { QaResultMessage } from '#shared/model/messages.ts';
import { tablesInForce } from '#shared/rules/tables-in-force.ts';
import { runtimeConfig } from '#shared/runtime/config.ts';
import { recordHandler } from '#shared/runtime/sqs-handler.ts';
import { servicePerPorts } from '#shared/runtime/stage-ports.ts';
import { createQaResultService } from './service.ts';

const service = servicePerPorts((ports) =>
  createQaResultService({
    ports,
    config: runtimeConfig(),
    clock: systemClock,
    // The versions in force for each chart's period, loaded on first use, once per process.
    tables: tablesInForce,
  }),
);

export const handler = recordHandler('qa-result', (body, record) =>
  // SenderId: the AWS identity SQS saw send the message, checked against the agency's staff.
  service().handle(QaResultMessage.parse(body), record.attributes?.SenderId),
);
