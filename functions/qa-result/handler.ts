import { systemClock } from '#shared/aws/ports.ts';
import { loadIcd10cm } from '#shared/data/icd10cm.ts';
import { Verdict } from '#shared/model/messages.ts';
import { runtimeConfig } from '#shared/runtime/config.ts';
import { recordHandler } from '#shared/runtime/sqs-handler.ts';
import { servicePerPorts } from '#shared/runtime/stage-ports.ts';
import { createQaResultService } from './service.ts';

const service = servicePerPorts((ports) =>
  createQaResultService({
    ports,
    config: runtimeConfig(),
    clock: systemClock,
    // Loaded on the first chart, not at cold start, and once per process (the loader memoises it).
    icd10cm: () => loadIcd10cm(),
  }),
);

export const handler = recordHandler('qa-result', (body) => service().handle(Verdict.parse(body)));
