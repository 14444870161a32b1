import { mkdtempSync, rmSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { KMSClient } from '@aws-sdk/client-kms';
import { S3Client } from '@aws-sdk/client-s3';
import { SQSClient } from '@aws-sdk/client-sqs';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { afterAll, describe, expect, it } from 'vitest';
import { applyEmulatorEnv, startEmulators } from '#cli/local/emulators.ts';
import { provision } from '#cli/local/provision.ts';
import type { AwsClients } from '#shared/aws/clients.ts';
import { DynamoChartStore } from '#shared/aws/dynamo-chart-store.ts';

const dirs: string[] = [];
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

function clientsFor(endpoints: { dynamodb: string; sqs: string; s3: string }): AwsClients {
  const credentials = { accessKeyId: 'local', secretAccessKey: 'local' };
  const region = 'us-east-1';
  return {
    dynamo: DynamoDBDocumentClient.from(
      new DynamoDBClient({ endpoint: endpoints.dynamodb, region, credentials }),
    ),
    s3: new S3Client({ endpoint: endpoints.s3, region, credentials, forcePathStyle: true }),
    sqs: new SQSClient({ endpoint: endpoints.sqs, region, credentials }),
    kms: new KMSClient({ region, credentials }),
  };
}

describe('startEmulators', () => {
  it('listens on loopback only, on ephemeral ports', async () => {
    const emulators = await startEmulators();
    try {
      expect((emulators.dynamodb.address() as AddressInfo).address).toBe('127.0.0.1');
      expect((emulators.fauxqs.app.server.address() as AddressInfo).address).toBe('127.0.0.1');
      expect(emulators.endpoints.sqs).toBe(emulators.endpoints.s3);
      expect(emulators.endpoints.dynamodb).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    } finally {
      await emulators.stop();
      await emulators.stop(); // stopping twice is harmless
    }
  });

  it('keeps DynamoDB on disk under dataDir across restarts (the --serve case)', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'codetrail-emu-'));
    dirs.push(dataDir);
    const opts = { prefix: 'disk', timeCompression: 1, localKeyFile: join(dataDir, 'k'), agencies: ['a'] };

    const first = await startEmulators({ dataDir });
    const c1 = clientsFor(first.endpoints);
    const { resources } = await provision(c1, opts);
    await new DynamoChartStore(c1.dynamo, resources.table).advanceLatest('ck-disk', 4);
    c1.dynamo.destroy();
    await first.stop();

    const second = await startEmulators({ dataDir });
    try {
      const c2 = clientsFor(second.endpoints);
      await provision(c2, opts); // over the existing table
      expect(await new DynamoChartStore(c2.dynamo, resources.table).latest('ck-disk')).toBe(4);
      c2.dynamo.destroy();
    } finally {
      await second.stop();
    }
  });

  it('applyEmulatorEnv points the SDK at the endpoints and fills in only what is missing', () => {
    const env: NodeJS.ProcessEnv = { AWS_REGION: 'eu-west-1' };
    applyEmulatorEnv(
      { dynamodb: 'http://127.0.0.1:1', sqs: 'http://127.0.0.1:2', s3: 'http://127.0.0.1:2' },
      env,
    );
    expect(env).toEqual({
      AWS_REGION: 'eu-west-1',
      AWS_ENDPOINT_URL_DYNAMODB: 'http://127.0.0.1:1',
      AWS_ENDPOINT_URL_SQS: 'http://127.0.0.1:2',
      AWS_ENDPOINT_URL_S3: 'http://127.0.0.1:2',
      AWS_ACCESS_KEY_ID: 'local',
      AWS_SECRET_ACCESS_KEY: 'local',
      AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
    });
  });
});
