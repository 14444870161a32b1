import { systemClock } from '#shared/aws/ports.ts';
import { ChartMessage } from '#shared/model/messages.ts';
import { runtimeConfig } from '#shared/runtime/config.ts';
import { recordHandler } from '#shared/runtime/sqs-handler.ts';
import { servicePerPorts } from '#shared/runtime/stage-ports.ts';
import { createQaSamplingService } from './service.ts';

const service = servicePerPorts((ports) =>
  createQaSamplingService({
    ports,
    config: runtimeConfig(),
    clock: systemClock,
  }),
);

export const handler = recordHandler('qa-sampling', (body) => service().handle(ChartMessage.parse(body)));
