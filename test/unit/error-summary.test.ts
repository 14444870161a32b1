import { NoSuchKey } from '@aws-sdk/client-s3';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { ObjectTakenOver } from '#functions/intake/object-run.ts';
import { PhiFreeError, summarizeError } from '#shared/runtime/error-summary.ts';
import { logger } from '#shared/runtime/logger.ts';
import { withCapturedLogs } from '../support/capture-logs.ts';
import { expectNoPhiIn } from '../support/expect-no-phi.ts';

const PATIENT_KEY = 'exports/test-agency/Zulu_Yankee_1940-01-01.ndjson';

function thrown(work: () => unknown): unknown {
  try {
    work();
  } catch (error) {
    return error;
  }
  throw new Error('nothing was thrown');
}

describe('summarizeError', () => {
  it("keeps a JSON.parse error's name, not the text it quotes", () => {
    const error = thrown(() => JSON.parse('Zulu_Yankee_1940-01-01 Test Patient-One'));
    expect(String(error)).toContain('Zulu'); // what would leak
    expect(summarizeError(error)).toEqual({ name: 'SyntaxError' });
  });

  it("keeps a zod error's name, not the keys it quotes", () => {
    const error = thrown(() => z.strictObject({ kind: z.string() }).parse({ kind: 'chart', Zulu_Yankee: 1 }));
    expect(String(error)).toContain('Zulu');
    expect(summarizeError(error)).toEqual({ name: 'ZodError' });
  });

  it("keeps an S3 error's code and HTTP status, not a message naming the key", () => {
    const error = new NoSuchKey({
      message: `The specified key does not exist: ${PATIENT_KEY}`,
      $metadata: { httpStatusCode: 404 },
    });
    expect(summarizeError(error)).toEqual({ name: 'NoSuchKey', httpStatusCode: 404 });
  });

  it("keeps a Node system error's code, not its path", () => {
    const error = Object.assign(new Error(`ENOENT: no such file or directory, open '${PATIENT_KEY}'`), {
      code: 'ENOENT',
      path: PATIENT_KEY,
    });
    expect(summarizeError(error)).toEqual({ name: 'Error', code: 'ENOENT' });
  });

  it('drops a code or name shaped like a file name, and keeps the shapes AWS and Node codes have', () => {
    const named = (name: string, code: string) =>
      summarizeError(Object.assign(new Error('x'), { name, code }));
    expect(named('Zulu_Yankee_1940-01-01.ndjson', 'Zulu-Yankee')).toEqual({ name: 'Error' });
    expect(named('ZuluYankee19400101', 'P'.repeat(65))).toEqual({ name: 'ZuluYankee19400101' });
    expect(named('ThrottlingException', 'AWS.SimpleQueueService.NonExistentQueue')).toEqual({
      name: 'ThrottlingException',
      code: 'AWS.SimpleQueueService.NonExistentQueue',
    });
    expect(named('TypeError', 'ERR_INVALID_ARG_TYPE')).toEqual({
      name: 'TypeError',
      code: 'ERR_INVALID_ARG_TYPE',
    });
  });

  it("shows the message of codetrail's own errors written from identifiers it derived", () => {
    expect(summarizeError(new ObjectTakenOver('ob0123 was taken over by a later run'))).toEqual({
      name: 'ObjectTakenOver',
      message: 'ob0123 was taken over by a later run',
    });
  });

  it('drops a code or name that is free text', () => {
    const error = Object.assign(new Error('x'), { name: 'Test Patient-One', code: 'Zulu Yankee 1940-01-01' });
    expect(summarizeError(error)).toEqual({ name: 'Error' });
  });

  it('keeps the message of a PhiFreeError only, and never of a thrown non-Error', () => {
    expect(summarizeError(new PhiFreeError('object ob12 could not be read'))).toEqual({
      name: 'PhiFreeError',
      message: 'object ob12 could not be read',
    });
    expect(summarizeError(new Error('no state for Zulu_Yankee v1'))).toEqual({ name: 'Error' });
    expect(summarizeError('Test Patient-One')).toEqual({ name: 'NonError' });
    expect(summarizeError({ message: 'Test Patient-One' })).toEqual({ name: 'NonError' });
  });
});

describe('the logger', () => {
  it('writes an Error it is given as its summary, wherever it sits in the log item', async () => {
    const error = new Error(`could not read ${PATIENT_KEY}`, { cause: new Error('Test Patient-One') });
    const { logs } = await withCapturedLogs(async () => {
      logger.error('failed', error);
      logger.warn('failed too', { detail: { error } });
    });
    expectNoPhiIn(logs.text(), 'logger output');
    expect(logs.logItems()).toMatchObject([
      { level: 'ERROR', message: 'failed', error: { name: 'Error' } },
      { level: 'WARN', message: 'failed too', detail: { error: { name: 'Error' } } },
    ]);
  });
});
