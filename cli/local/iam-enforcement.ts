import { AsyncLocalStorage } from 'node:async_hooks';
import { appendFileSync } from 'node:fs';
import { DynamoDBServiceException } from '@aws-sdk/client-dynamodb';
import { KMSServiceException } from '@aws-sdk/client-kms';
import { S3ServiceException } from '@aws-sdk/client-s3';
import { SQSServiceException } from '@aws-sdk/client-sqs';
import { PERSON_SUBJECTS } from '#shared/audit-trail/person-events.ts';
import type { AwsClients } from '#shared/aws/clients.ts';
import { withAgencyPlaceholder } from '#shared/iam/agency-placeholder.ts';
import { type ArnScope, type Input, requestsOfCall } from '#shared/iam/requests-of-call.ts';
import {
  type AuthorizationRequest,
  evaluate,
  type RolePolicy,
  resolvePlaceholders,
} from '#shared/iam/role-policy.ts';
import { TRAIL_SUBJECTS } from '#shared/topology.ts';

/**
 * The local runtime's IAM: every AWS call made while a role is acting (a stage's handler and its SQS
 * poller) is checked against that role's policy as the stack deploys it (shared/iam/role-policies.json),
 * and a call the role would be refused in AWS fails here with the error the SDK raises there.
 *
 * It is SDK middleware on the shared clients, so no adapter or handler changes. In AWS each stage runs
 * in its own process with its own role; locally the six handlers share one process and one set of
 * clients, so the acting role travels with the call's async context (AsyncLocalStorage): `actAs` runs a
 * handler as its role, and everything it awaits, however deep, is checked as that role. A call outside
 * any role (the operator's CLI commands, test setup, the S3 notification stand-in) is not checked.
 */

const acting = new AsyncLocalStorage<string>();

/** Runs `fn` as `role`: every AWS call it makes, directly or not, is checked against that role's policy. */
export function actAs<T>(role: string, fn: () => T): T {
  return acting.run(role, fn);
}

/** The role the current call runs as, if any. */
export function actingRole(): string | undefined {
  return acting.getStore();
}

/** One authorization the local IAM made. */
export interface CheckedCall extends AuthorizationRequest {
  role: string;
  allowed: boolean;
}

/** The role ARN AWS names in an AccessDenied message. */
export function roleSessionArn(scope: ArnScope, role: string): string {
  return `arn:aws:sts::${scope.account}:assumed-role/codetrail-${role.replace(':', '-')}/local`;
}

type ServiceExceptionClass =
  | typeof DynamoDBServiceException
  | typeof S3ServiceException
  | typeof SQSServiceException
  | typeof KMSServiceException;

/** How each service's client raises a refusal: its exception class, the error code, the HTTP status. */
const DENIED_AS: Record<string, [ServiceExceptionClass, string, number]> & {
  kms: [ServiceExceptionClass, string, number];
} = {
  dynamodb: [DynamoDBServiceException, 'AccessDeniedException', 400],
  s3: [S3ServiceException, 'AccessDenied', 403],
  // SQS speaks JSON with query-compatible error codes: the SDK names the error AccessDenied.
  sqs: [SQSServiceException, 'AccessDenied', 403],
  kms: [KMSServiceException, 'AccessDeniedException', 400],
};

/** The exception the SDK raises in AWS when IAM refuses `request`: same class, name, fault and status. */
export function accessDenied(
  service: string,
  scope: ArnScope,
  role: string,
  request: AuthorizationRequest,
): Error {
  const message =
    `User: ${roleSessionArn(scope, role)} is not authorized to perform: ${request.action} on resource: ` +
    `${request.resource} because no identity-based policy allows the ${request.action} action`;
  const [Exception, name, httpStatusCode] = DENIED_AS[service] ?? DENIED_AS.kms;
  return new Exception({
    name,
    $fault: 'client',
    $metadata: { httpStatusCode, requestId: 'local-iam', attempts: 1, totalRetryDelay: 0 },
    message,
  });
}

type Stackable = {
  middlewareStack: {
    add: (mw: never, opts: { step: 'initialize'; name: string; priority: 'high' }) => void;
  };
};

/**
 * The policies of every role, resolved to local ARNs, and the calls checked against them. `install`
 * puts the check on a set of clients; `calls` is what each role did (and was refused), in order.
 */
export class LocalIam {
  readonly calls: CheckedCall[] = [];
  readonly #installed = new WeakSet<object>();
  readonly #perAgency = new Map<string, RolePolicy>();

  constructor(
    readonly policies: Readonly<Record<string, RolePolicy>>,
    readonly scope: ArnScope,
    readonly options: {
      /** Keep every checked call (the IAM sweep reads them); otherwise only the refusals. */
      recordAll?: boolean;
      /** How a call's resource is recorded (the pipeline records it in the snapshot's placeholder form). */
      recordAs?: (resource: string) => string;
      /** Told of every call recorded (the IAM sweep appends them to a file). */
      onRecord?: (call: CheckedCall) => void;
      /** The tags an object holds, for the `s3:ExistingObjectTag/<key>` condition keys of a read. */
      objectTags?: (bucket: unknown, key: unknown) => Readonly<Record<string, string>> | undefined;
    } = {},
  ) {}

  /** Checks a call as the acting role; throws the SDK's AccessDenied when the role may not make it. */
  check(service: string, op: string, input: Input): void {
    const role = actingRole();
    if (role === undefined) return;
    // A read of an object carries the object's tags as condition keys, as IAM evaluates it in AWS.
    const tags =
      service === 's3' && op === 'GetObject' ? this.options.objectTags?.(input.Bucket, input.Key) : undefined;
    for (const request of requestsOfCall(this.scope, service, op, input)) {
      if (tags && Object.keys(tags).length > 0)
        request.context = {
          ...request.context,
          ...Object.fromEntries(Object.entries(tags).map(([k, v]) => [`s3:ExistingObjectTag/${k}`, [v]])),
        };
      this.authorize(service, role, request);
    }
  }

  /**
   * A role's policy. `person:emr-writer@<agency>` is one agency's role of a kind deployed per agency: its
   * policy is the kind's, with `{agency}` (kept by the snapshot) standing for that agency.
   */
  policyOf(role: string): RolePolicy | undefined {
    const direct = this.policies[role] ?? this.#perAgency.get(role);
    if (direct) return direct;
    const at = role.indexOf('@');
    const kind = at > 0 ? this.policies[role.slice(0, at)] : undefined;
    if (!kind) return undefined;
    const agency = role.slice(at + 1);
    // Resolved once per agency, not at every call.
    const policy = resolvePlaceholders(kind, (name) => (name === 'agency' ? agency : undefined));
    this.#perAgency.set(role, policy);
    return policy;
  }

  /** One authorization of `role`: recorded as the options say; AccessDenied, as `service` raises it, when refused. */
  authorize(service: string, role: string, request: AuthorizationRequest): void {
    const policy = this.policyOf(role);
    if (!policy) throw new Error(`no IAM policy for the role ${role}`);
    const allowed = evaluate(policy, request) === 'allowed';
    if (this.options.recordAll || !allowed) {
      const recordAs = this.options.recordAs ?? ((r: string) => r);
      // One agency's role is recorded as its kind, its agency as `{agency}`, as the snapshot writes it.
      const at = role.indexOf('@');
      const agency = at > 0 ? role.slice(at + 1) : undefined;
      const call: CheckedCall = {
        role: agency ? role.slice(0, at) : role,
        action: request.action,
        // Its agency in a key (`exports/<agency>/…`) or in its queue's name (`…-qa-review_<agency>`).
        resource: recordAs(agency ? withAgencyInResource(request.resource, agency) : request.resource),
        allowed,
      };
      if (request.context)
        call.context = Object.fromEntries(
          Object.entries(request.context).map(([k, vs]) => [
            k,
            vs.map((v) =>
              k.toLowerCase() === 'dynamodb:leadingkeys'
                ? recordedPartition(v, agency)
                : recordedPrefix(v, agency),
            ),
          ]),
        );
      this.calls.push(call);
      this.options.onRecord?.(call);
    }
    if (!allowed) throw accessDenied(service, this.scope, role, request);
  }

  /** The refused calls so far. */
  denials(): CheckedCall[] {
    return this.calls.filter((c) => !c.allowed);
  }

  /** One line per distinct refusal (role, action, resource with object keys cut to their prefix). */
  denialLines(): string[] {
    return [...new Set(this.denials().map(describeDenial))];
  }

  /** Puts the check in front of every call the clients send (once per client). */
  install(clients: AwsClients): void {
    const services: [object, string][] = [
      [clients.dynamo, 'dynamodb'],
      [clients.s3, 's3'],
      [clients.sqs, 'sqs'],
      [clients.kms, 'kms'],
    ];
    for (const [client, service] of services) {
      if (this.#installed.has(client)) continue;
      this.#installed.add(client);
      (client as Stackable).middlewareStack.add(
        ((next: (args: { input: Input }) => Promise<unknown>, context: { commandName?: string }) =>
          async (args: { input: Input }) => {
            this.check(service, (context.commandName ?? '').replace(/Command$/, ''), args.input);
            return next(args);
          }) as never,
        { step: 'initialize', name: `codetrail-local-iam-${service}`, priority: 'high' },
      );
    }
  }
}

/** `stage:billing-handoff may not s3:GetObject on {bucket:artifacts}/charts/…`. */
export function describeDenial(call: AuthorizationRequest & { role: string }): string {
  return `${call.role} may not ${call.action} on ${call.resource}`;
}

/** The environment variable naming the file the IAM sweep collects every run's calls in. */
export const IAM_RECORD_ENV = 'CODETRAIL_IAM_RECORD';

/** Appends each call not appended before (by this process) to `file`, one JSON object per line. */
export function appendDistinct(file: string): (call: CheckedCall) => void {
  const seen = new Set<string>();
  return (call) => {
    const line = JSON.stringify(call);
    if (seen.has(line)) return;
    seen.add(line);
    appendFileSync(file, `${line}\n`);
  };
}

const PERSON_SUBJECT_NAMES: ReadonlySet<string> = new Set(Object.values(PERSON_SUBJECTS));
const TRAIL_SUBJECT_NAMES: ReadonlySet<string> = new Set(Object.values(TRAIL_SUBJECTS));

/**
 * A partition key as a call is recorded: cut after its kind (`CHART#…`), so one kind of call is recorded
 * once; a review board partition keeps its queue (`REVIEWS#…#qa-review`: each QA role reads its own
 * queue's alone); one agency's role keeps `{agency}` where its agency was (`BATCH#{agency}#…`), as the
 * snapshot writes its policy.
 */
export function recordedPartition(value: string, agency: string | undefined): string {
  const [kind = ''] = value.split('#');
  const templated = agency ? withAgencyPlaceholder(value, agency) : value;
  // A chart's partition leads with its chartKey, which leads with the agency (`CHART#<agency>.ck…`).
  if (templated.startsWith(`${kind}#{agency}.`)) return `${kind}#{agency}.…`;
  if (templated.startsWith(`${kind}#{agency}#`)) {
    const rest = templated.slice(`${kind}#{agency}#`.length);
    if (kind === 'REVIEWS') return `REVIEWS#{agency}#${rest}`;
    // A person's own audit subjects (`access`, `adrs`) stay: its role may add events under them alone.
    if (kind === 'AUDIT' && PERSON_SUBJECT_NAMES.has(rest)) return `AUDIT#{agency}#${rest}`;
    return `${kind}#{agency}#…`;
  }
  if (kind === 'REVIEWS') return value.replace(/^REVIEWS#[^#]+(#[^#]+)$/, 'REVIEWS#…$1');
  // The trail's own subjects stay (`AUDIT#…#config`): a job's or the chainer's grant names them alone.
  const subject = /^AUDIT#[^#]+#([^#]+)$/.exec(value)?.[1];
  if (subject && TRAIL_SUBJECT_NAMES.has(subject)) return `AUDIT#…#${subject}`;
  return value.replace(/^([^#]*#).+$/, '$1…');
}

/** An S3 prefix as a call is recorded: cut after its first segment, or after one agency's `{agency}/`. */
export function recordedPrefix(value: string, agency: string | undefined): string {
  const [first = ''] = value.split('/');
  if (agency && value.startsWith(`${first}/${agency}/`)) return `${first}/{agency}/…`;
  return value.replace(/^([^/]*\/).+$/, '$1…');
}

/** A resource of one agency's role as the snapshot writes it: the agency in a key, or ending a queue's name. */
function withAgencyInResource(resource: string, agency: string): string {
  const inKeys = withAgencyPlaceholder(resource, agency);
  return inKeys.endsWith(`_${agency}`) ? `${inKeys.slice(0, -agency.length)}{agency}` : inKeys;
}
