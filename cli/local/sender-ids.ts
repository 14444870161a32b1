import { createHash } from 'node:crypto';
import { userInfo } from 'node:os';
import type { Message } from '@aws-sdk/client-sqs';
import type { AwsClients } from '#shared/aws/clients.ts';
import { actingRole } from './iam-enforcement.ts';
import type { Stackable } from './object-tags.ts';

/**
 * SQS's SenderId for the local runtime. SQS stamps each message with the AWS identity that sent it (a
 * role session as `AROA<role id>:<session name>`, an IAM user as `AIDA<user id>`), and the sender cannot
 * forge it: qa-result, billing-reply and the audit chainer take who acted from it. The embedded SQS
 * (fauxqs 1.9.2) stamps every message with the same account id, so locally every sender would look
 * alike, and a check of who sent a message would pass that AWS fails.
 *
 * So this SDK middleware puts the sending role's local identity on every message sent (a message
 * attribute, overwriting any the caller set), and the local event source makes it the record's SenderId
 * and takes it off the record (`senderIdOf`), as Lambda's records carry SenderId as a system attribute.
 */
export const LOCAL_SENDER_ATTRIBUTE = 'codetrail-local-sender';

/** A stand-in for an IAM id: its prefix and 17 upper-case characters, as AWS's 21-character ids. */
function localId(prefix: 'AROA' | 'AIDA', name: string): string {
  return prefix + createHash('sha256').update(name).digest('hex').slice(0, 17).toUpperCase();
}

/**
 * The SenderId of a message `role` sends locally: a stage's role session is named for its function
 * (`codetrail-<stage>`), as Lambda names it; a person's role session for the person (the machine's user,
 * as IAM Identity Center names it for its user); a command acting as no role is the user's own identity.
 */
export function localSenderId(role: string | undefined, user = userInfo().username): string {
  if (role === undefined) return localId('AIDA', `user:${user}`);
  const session = role.startsWith('stage:') ? `codetrail-${role.slice('stage:'.length)}` : user;
  return `${localId('AROA', role)}:${session}`;
}

const installed = new WeakSet<object>();

type SentMessage = { MessageAttributes?: Record<string, unknown> };

function stamped(message: SentMessage, sender: string): SentMessage {
  return {
    ...message,
    MessageAttributes: {
      ...message.MessageAttributes,
      [LOCAL_SENDER_ATTRIBUTE]: { DataType: 'String', StringValue: sender },
    },
  };
}

/** Stamps every message the client sends with the acting role's local SenderId (once per client). */
export function installLocalSenderIds(clients: Pick<AwsClients, 'sqs'>): void {
  if (installed.has(clients.sqs)) return;
  installed.add(clients.sqs);
  (clients.sqs as Stackable).middlewareStack.add(
    ((
      next: (args: { input: Record<string, unknown> }) => Promise<unknown>,
      context: { commandName?: string },
    ) =>
      async (args: { input: Record<string, unknown> }) => {
        const sender = localSenderId(actingRole());
        if (context.commandName === 'SendMessageCommand')
          return next({ ...args, input: stamped(args.input, sender) as Record<string, unknown> });
        if (context.commandName === 'SendMessageBatchCommand') {
          const entries = (args.input.Entries ?? []) as SentMessage[];
          return next({ ...args, input: { ...args.input, Entries: entries.map((e) => stamped(e, sender)) } });
        }
        return next(args);
      }) as never,
    { step: 'initialize', name: 'codetrail-local-sender-ids', priority: 'low' },
  );
}

/**
 * A received message's SenderId as SQS would stamp it (the local stamp, else what the embedded SQS
 * says), and its message attributes without the stamp.
 */
export function senderIdOf(message: Pick<Message, 'Attributes' | 'MessageAttributes'>): {
  senderId: string;
  messageAttributes: NonNullable<Message['MessageAttributes']>;
} {
  const { [LOCAL_SENDER_ATTRIBUTE]: stamp, ...rest } = message.MessageAttributes ?? {};
  return { senderId: stamp?.StringValue ?? message.Attributes?.SenderId ?? 'local', messageAttributes: rest };
}
