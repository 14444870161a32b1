import { HeadObjectCommand, S3Client } from '@aws-sdk/client-s3';
import type { AwsClients } from '#shared/aws/clients.ts';
import type { Stackable } from './object-tags.ts';

/**
 * S3 conditional writes for the local runtime. The embedded S3 (fauxqs 1.9.2) ignores `If-None-Match`
 * on PutObject and writes over the object; S3 refuses such a write with 412 PreconditionFailed. A
 * person's note is written once (their role requires the header), so this SDK middleware refuses it
 * locally too: it asks whether the key holds an object first. Checked after the local IAM (a refused
 * call never gets here), with a client of its own, outside any acting role: it is S3's check, not the
 * caller's read.
 */
const installed = new WeakSet<object>();

/** S3's answer to a conditional write that does not hold, as the SDK raises it. */
function preconditionFailed(): Error {
  return Object.assign(new Error('At least one of the pre-conditions you specified did not hold'), {
    name: 'PreconditionFailed',
    Code: 'PreconditionFailed',
    $fault: 'client',
    $metadata: { httpStatusCode: 412 },
  });
}

async function holdsObject(raw: S3Client, bucket: unknown, key: unknown): Promise<boolean> {
  try {
    await raw.send(new HeadObjectCommand({ Bucket: String(bucket), Key: String(key) }));
    return true;
  } catch (err) {
    if ((err as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode === 404) return false;
    throw err;
  }
}

/** Refuses, as S3 does, a PutObject with `If-None-Match: *` whose key holds an object (once per client). */
export function installLocalConditionalWrites(clients: Pick<AwsClients, 's3'>): void {
  if (installed.has(clients.s3)) return;
  installed.add(clients.s3);
  // Its own client, built on first use from the environment the emulators set when these clients were
  // (path-style, as the local clients): each local stack has its own ports.
  let raw: S3Client | undefined;
  (clients.s3 as Stackable).middlewareStack.add(
    ((
      next: (args: { input: Record<string, unknown> }) => Promise<unknown>,
      context: { commandName?: string },
    ) =>
      async (args: { input: Record<string, unknown> }) => {
        const { Bucket, Key, IfNoneMatch } = args.input;
        if (context.commandName === 'PutObjectCommand' && IfNoneMatch === '*') {
          raw ??= new S3Client({ forcePathStyle: true });
          if (await holdsObject(raw, Bucket, Key)) throw preconditionFailed();
        }
        return next(args);
      }) as never,
    { step: 'initialize', name: 'codetrail-local-conditional-writes', priority: 'low' },
  );
}
