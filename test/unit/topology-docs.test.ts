import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  HUMAN_MAX_RECEIVE_COUNT,
  MAX_RECEIVE_COUNT,
  QUEUE_RETENTION_DAYS,
  queues,
} from '#shared/topology.ts';

const read = (path: string) => readFileSync(new URL(`../../${path}`, import.meta.url), 'utf8');

/** The redrive counts and retention the topology sets are the ones the README and the security doc state. */
describe('what the docs say of the queues', () => {
  it('the topology gives every queue of a kind one redrive count and the same retention', () => {
    for (const q of queues()) {
      expect(q.maxReceiveCount).toBe(q.humanDrained ? HUMAN_MAX_RECEIVE_COUNT : MAX_RECEIVE_COUNT);
      expect(q.retentionDays).toBe(QUEUE_RETENTION_DAYS);
    }
  });

  it('the README states those counts and that retention', () => {
    const readme = read('README.md').replace(/\s+/g, ' ');
    expect(readme).toContain(
      `maxReceiveCount ${MAX_RECEIVE_COUNT} for Lambda-consumed queues, ${HUMAN_MAX_RECEIVE_COUNT} for human-drained ones`,
    );
    expect(readme).toContain(`Every queue keeps messages ${QUEUE_RETENTION_DAYS} days`);
  });

  it('docs/security.md states them too', () => {
    const security = read('docs/security.md').replace(/\s+/g, ' ');
    expect(security).toContain(
      `\`maxReceiveCount\` ${MAX_RECEIVE_COUNT} for Lambda queues, ${HUMAN_MAX_RECEIVE_COUNT} for human-drained ones`,
    );
    expect(security).toContain(`Queues and DLQs keep messages ${QUEUE_RETENTION_DAYS} days`);
  });
});
