import { systemClock } from '#shared/aws/ports.ts';
import { runtimeConfig } from '#shared/runtime/config.ts';
import { recordHandler } from '#shared/runtime/sqs-handler.ts';
import { servicePerPorts } from '#shared/runtime/stage-ports.ts';
import { createIntakeService } from './service.ts';

const service = servicePerPorts((ports) =>
  createIntakeService({
    ports,
    config: runtimeConfig(),
    clock: systemClock,
  }),
);

export const handler = recordHandler('intake', (body, _record, context) =>
  service().handle(body, { remainingMs: () => context.getRemainingTimeInMillis() }),
);
