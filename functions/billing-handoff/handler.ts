import { systemClock } from '#shared/aws/ports.ts';
import { runtimeConfig } from '#shared/runtime/config.ts';
import { batchHandler } from '#shared/runtime/sqs-handler.ts';
import { servicePerPorts } from '#shared/runtime/stage-ports.ts';
import { createBillingHandoffService } from './service.ts';

const service = servicePerPorts((ports) =>
  createBillingHandoffService({
    ports,
    config: runtimeConfig(),
    clock: systemClock,
  }),
);

export const handler = batchHandler('billing-handoff', (items) => service().handle(items));
