import {
  appendFileSync,
  closeSync,
  existsSync,
  fstatSync,
  openSync,
  readFileSync,
  readSync,
  renameSync,
  writeFileSync,
} from 'node:fs';
import type { AwsClients } from '#shared/aws/clients.ts';

/**
 * S3 object tags for the local runtime. The embedded S3 (fauxqs 1.9.2) has no tagging API: a PUT with
 * `?tagging` would even be taken as a PutObject and overwrite the object with the tag XML. So this SDK
 * middleware answers PutObjectTagging and GetObjectTagging itself, after the local IAM has checked them,
 * keeping the tags in memory; the local IAM reads them back as the `s3:ExistingObjectTag/<key>`
 * condition keys of a GetObject (what a QA reviewer's role may read is conditioned on them). As in a
 * versioned bucket, writing an object again leaves the new version untagged; a copy takes its source's.
 *
 * One store per process: the stages, the CLI commands and the tests share the same clients. `start --serve`
 * also keeps it in a file (`persistLocalObjectTags`), which the commands run from other processes follow
 * (`followLocalObjectTags`), so their local IAM sees the tags the stages set, and a restart keeps them.
 */
const tagsByObject = new Map<string, Record<string, string>>();
const installed = new WeakSet<object>();
/** Where each change is appended, once `persistLocalObjectTags` named a file. */
let tagLog: string | undefined;

/** One line of the tag log: an object's whole tag set, or null when it holds none any more. */
type TagLogLine = { o: string; t: Record<string, string> | null };

function setTags(name: string, tags: Record<string, string> | undefined): void {
  if (tags) tagsByObject.set(name, tags);
  else tagsByObject.delete(name);
  if (tagLog)
    appendFileSync(tagLog, `${JSON.stringify({ o: name, t: tags ?? null } satisfies TagLogLine)}\n`);
}

/** Applies complete lines of a tag log to `into`; returns how many characters they took. */
function applyTagLog(text: string, into: Map<string, Record<string, string>>): number {
  const end = text.lastIndexOf('\n') + 1;
  for (const line of text.slice(0, end).split('\n')) {
    let parsed: TagLogLine;
    try {
      parsed = JSON.parse(line) as TagLogLine;
    } catch {
      continue; // an empty or damaged line (a crash mid-write) tells nothing: the others still hold
    }
    if (typeof parsed?.o !== 'string') continue;
    if (parsed.t) into.set(parsed.o, parsed.t);
    else into.delete(parsed.o);
  }
  return end;
}

/**
 * Keeps this process's tags in `file` too: the tags already there are taken back (a restart keeps what
 * the stages tagged; the objects come back from the snapshot), the file is rewritten with the current set
 * alone, and every later change is appended as one JSON line.
 */
export function persistLocalObjectTags(file: string): void {
  if (existsSync(file)) applyTagLog(readFileSync(file, 'utf8'), tagsByObject);
  const lines = [...tagsByObject].map(([o, t]) => `${JSON.stringify({ o, t } satisfies TagLogLine)}\n`);
  // Written aside and renamed into place: a crash leaves the old file or the new one, never half of one
  // (and the new file is a new inode, which tells a follower to read it from the start).
  const fresh = `${file}.${process.pid}.tmp`;
  writeFileSync(fresh, lines.join(''));
  renameSync(fresh, file);
  tagLog = file;
}

/**
 * The tags another process keeps in `file` (`start --serve`'s), read as they grow: what a command run
 * against that stack gives its local IAM. Only new complete lines are read on each lookup.
 */
export function followLocalObjectTags(
  file: string,
): (bucket: unknown, key: unknown) => Readonly<Record<string, string>> | undefined {
  const tags = new Map<string, Record<string, string>>();
  let offset = 0;
  let inode: number | undefined;
  return (bucket, key) => {
    if (!existsSync(file)) return undefined;
    // The open file's own size and inode: a compaction renamed into place after this is read next time.
    const fd = openSync(file, 'r');
    try {
      const stat = fstatSync(fd);
      // Compacted (the stack restarted: a new file renamed into place) or cut short: read from the start.
      if (stat.ino !== inode || stat.size < offset) {
        tags.clear();
        offset = 0;
        inode = stat.ino;
      }
      if (stat.size > offset) {
        const buffer = Buffer.alloc(stat.size - offset);
        const read = readSync(fd, buffer, 0, buffer.length, offset);
        // Up to the last complete line: one being appended now is read next time.
        const text = buffer.subarray(0, read).toString('utf8');
        offset += Buffer.byteLength(text.slice(0, applyTagLog(text, tags)));
      }
    } finally {
      closeSync(fd);
    }
    return tags.get(objectName(bucket, key));
  };
}

const objectName = (bucket: unknown, key: unknown) => `${String(bucket)}/${String(key)}`;

/** The tags an object holds locally (undefined when it holds none). */
export function localObjectTags(bucket: unknown, key: unknown): Readonly<Record<string, string>> | undefined {
  return tagsByObject.get(objectName(bucket, key));
}

type TagSet = { Key?: string; Value?: string }[];
/** An SDK client's middleware stack, as the local runtime's S3 stand-ins add to it. */
export type Stackable = {
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
          setTags(objectName(Bucket, Key), Object.fromEntries(set));
          return { output: { $metadata: { httpStatusCode: 200 } }, response: {} };
        }
        // A write makes a new current version, which carries no tags; a copy takes the source's (S3's
        // default tagging directive, the one codetrail uses).
        if (context.commandName === 'PutObjectCommand' && localObjectTags(Bucket, Key))
          setTags(objectName(Bucket, Key), undefined);
        if (context.commandName === 'CopyObjectCommand') {
          const [path = ''] = String(args.input.CopySource ?? '').split('?');
          const slash = path.indexOf('/');
          const from = localObjectTags(path.slice(0, slash), decodeURIComponent(path.slice(slash + 1)));
          if (from || localObjectTags(Bucket, Key))
            setTags(objectName(Bucket, Key), from ? { ...from } : undefined);
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

/**
 * For a command run against `start --serve` from another process: the tags are that process's, so a
 * tagging call here is refused rather than sent to the embedded S3, which would take it for a PutObject
 * and overwrite the object with the tag XML. No command tags today; this keeps it so.
 */
export function refuseLocalTagging(clients: Pick<AwsClients, 's3'>): void {
  (clients.s3 as Stackable).middlewareStack.add(
    ((next: (args: unknown) => Promise<unknown>, context: { commandName?: string }) =>
      async (args: unknown) => {
        if (
          context.commandName === 'PutObjectTaggingCommand' ||
          context.commandName === 'GetObjectTaggingCommand'
        )
          throw new Error(
            'object tags of the local stack are set by its own process (`start --serve`), not by a command',
          );
        return next(args);
      }) as never,
    { step: 'initialize', name: 'codetrail-refuse-local-tagging', priority: 'low' },
  );
}
