import type { AwsClients } from '#shared/aws/clients.ts';

/**
 * S3 object tags for the local runtime. The embedded S3 (fauxqs 1.9.2) has no tagging API: a PUT with
 * `?tagging` would even be taken as a PutObject and overwrite the object with the tag XML. So this SDK
 * middleware answers PutObjectTagging and GetObjectTagging itself, after the local IAM has checked them,
 * keeping the tags in memory; the local IAM reads them back as the `s3:ExistingObjectTag/<key>`
 * condition keys of a GetObject (what a QA reviewer's role may read is conditioned on them). As in a
 * versioned bucket, writing an object again leaves the new version untagged; a copy takes its source's.
 *
 * One store per process: the stages, the CLI commands and the tests share the same clients.
 */
const tagsByObject = new Map<string, Record<string, string>>();
const installed = new WeakSet<object>();

const objectName = (bucket: unknown, key: unknown) => `${String(bucket)}/${String(key)}`;

/** The tags an object holds locally (undefined when it holds none). */
export function localObjectTags(bucket: unknown, key: unknown): Readonly<Record<string, string>> | undefined {
  return tagsByObject.get(objectName(bucket, key));
}

type TagSet = { Key?: string; Value?: string }[];
type Stackable = {
  middlewareStack: {
    add: (mw: never, opts: { step: 'initialize'; name: string; priority: 'low' }) => void;
  };
};

/** Answers the S3 client's tagging calls from the in-memory store (once per client). */
export function installLocalObjectTags(clients: Pick<AwsClients, 's3'>): void {
  if (installed.has(clients.s3)) return;
  installed.add(clients.s3);
  (clients.s3 as Stackable).middlewareStack.add(
    ((
      next: (args: { input: Record<string, unknown> }) => Promise<unknown>,
      context: { commandName?: string },
    ) =>
      async (args: { input: Record<string, unknown> }) => {
        const { Bucket, Key } = args.input;
        if (context.commandName === 'PutObjectTaggingCommand') {
          const set = ((args.input.Tagging as { TagSet?: TagSet } | undefined)?.TagSet ?? []).map(
            (t) => [String(t.Key), String(t.Value)] as const,
          );
          tagsByObject.set(objectName(Bucket, Key), Object.fromEntries(set));
          return { output: { $metadata: { httpStatusCode: 200 } }, response: {} };
        }
        // A write makes a new current version, which carries no tags; a copy takes the source's (S3's
        // default tagging directive, the one codetrail uses).
        if (context.commandName === 'PutObjectCommand') tagsByObject.delete(objectName(Bucket, Key));
        if (context.commandName === 'CopyObjectCommand') {
          const [path = ''] = String(args.input.CopySource ?? '').split('?');
          const slash = path.indexOf('/');
          const from = localObjectTags(path.slice(0, slash), decodeURIComponent(path.slice(slash + 1)));
          if (from) tagsByObject.set(objectName(Bucket, Key), { ...from });
          else tagsByObject.delete(objectName(Bucket, Key));
        }
        if (context.commandName === 'GetObjectTaggingCommand') {
          const tags = localObjectTags(Bucket, Key) ?? {};
          return {
            output: {
              $metadata: { httpStatusCode: 200 },
              TagSet: Object.entries(tags).map(([k, v]) => ({ Key: k, Value: v })),
            },
            response: {},
          };
        }
        return next(args);
      }) as never,
    // After the local IAM's check (priority high, same step): a refused call never reaches the store.
    { step: 'initialize', name: 'codetrail-local-object-tags', priority: 'low' },
  );
}
