import { systemClock } from '#shared/aws/ports.ts';
import { loadIcd10cm } from '#shared/data/icd10cm.ts';
import { ChartMessage } from '#shared/model/messages.ts';
import { runtimeConfig } from '#shared/runtime/config.ts';
import { recordHandler } from '#shared/runtime/sqs-handler.ts';
import { servicePerPorts } from '#shared/runtime/stage-ports.ts';
import { createValidationService } from './service.ts';

const service = servicePerPorts((ports) =>
  createValidationService({
    ports,
    config: runtimeConfig(),
    clock: systemClock,
    // Loaded on the first chart, not at cold start, and once per process (the loader memoises it).
    icd10cm: () => loadIcd10cm(),
  }),
);

export const handler = recordHandler('validation', (body) => service().handle(ChartMessage.parse(body)));
