import { type AwsClients, awsClients } from '#shared/aws/clients.ts';
import type { Ports } from '#shared/aws/ports.ts';
import { type AuditTrailPorts, buildAuditTrailPorts, buildPorts } from '#shared/aws/ports-from-env.ts';
import { type Resources, resourcesFromEnv } from '#shared/aws/resources.ts';

/**
 * Ports built on first use and kept for the life of the execution environment; rebuilt only when the
 * clients were reset (the local runtime and tests point them at new endpoints).
 */
function perClients<P>(build: (clients: AwsClients, resources: Resources) => P): () => P {
  let cached: { clients: AwsClients; ports: P } | undefined;
  return () => {
    const clients = awsClients();
    if (cached?.clients !== clients) cached = { clients, ports: build(clients, resourcesFromEnv()) };
    return cached.ports;
  };
}

/** The ports a Lambda works over. */
export const stagePorts: () => Ports = perClients((clients, resources) => buildPorts(clients, resources));

/** The audit chainer's and sealer's ports. */
export const auditTrailPorts: () => AuditTrailPorts = perClients(buildAuditTrailPorts);

/**
 * A stage's service, built over the current ports and rebuilt only when they change (once per Lambda
 * execution environment; again when the local runtime or a test points the clients somewhere new).
 */
export function servicePerPorts<T>(make: (ports: Ports) => T): () => T {
  return servicePer(stagePorts, make);
}

/** A service built over whatever ports `current` gives, rebuilt only when they change. */
export function servicePer<P, T>(current: () => P, make: (ports: P) => T): () => T {
  let memo: { ports: P; service: T } | undefined;
  return () => {
    const ports = current();
    if (memo?.ports !== ports) memo = { ports, service: make(ports) };
    return memo.service;
  };
}
