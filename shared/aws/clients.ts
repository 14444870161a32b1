import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { KMSClient } from '@aws-sdk/client-kms';
import { S3Client } from '@aws-sdk/client-s3';
import { SQSClient } from '@aws-sdk/client-sqs';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';

/**
 * AWS clients, built once per process (never per call) from the standard environment: AWS_REGION and,
 * locally, AWS_ENDPOINT_URL_<SERVICE> pointing at the embedded emulators.
 */
export interface AwsClients {
  dynamo: DynamoDBDocumentClient;
  s3: S3Client;
  sqs: SQSClient;
  kms: KMSClient;
}

/**
 * AWS requests made by this process, by service (`dynamodb`) and by operation (`dynamodb:PutItem`):
 * read by the pipeline benchmark. Counting costs an increment per call.
 */
export const requestCounts: Record<string, number> = {};

type Countable = {
  middlewareStack: { add: (mw: never, opts: { step: 'initialize'; name: string }) => void };
};

function counted<T>(client: T, service: string): T {
  (client as unknown as Countable).middlewareStack.add(
    ((next: (args: unknown) => Promise<unknown>, context: { commandName?: string }) =>
      async (args: unknown) => {
        requestCounts[service] = (requestCounts[service] ?? 0) + 1;
        const op = `${service}:${(context.commandName ?? 'unknown').replace(/Command$/, '')}`;
        requestCounts[op] = (requestCounts[op] ?? 0) + 1;
        return next(args);
      }) as never,
    { step: 'initialize', name: `codetrail-count-${service}` },
  );
  return client;
}

let cached: AwsClients | undefined;

export function awsClients(): AwsClients {
  if (cached) return cached;
  const local = Boolean(process.env.AWS_ENDPOINT_URL_S3);
  const dynamo = counted(new DynamoDBClient({}), 'dynamodb');
  cached = {
    dynamo: DynamoDBDocumentClient.from(dynamo, { marshallOptions: { removeUndefinedValues: true } }),
    // The emulator serves path-style only; in AWS virtual-hosted style is the default and right.
    s3: counted(new S3Client({ forcePathStyle: local }), 's3'),
    // Queue URLs from the emulator name a host that does not resolve; in AWS the URL host is the endpoint.
    sqs: counted(new SQSClient({ useQueueUrlAsEndpoint: false }), 'sqs'),
    kms: counted(new KMSClient({}), 'kms'),
  };
  return cached;
}

/** Forget the clients, so the next call builds them from the current environment (tests, local runtime). */
export function resetAwsClients(): void {
  cached = undefined;
}
