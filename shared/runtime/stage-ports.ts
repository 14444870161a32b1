import { type AwsClients, awsClients } from '#shared/aws/clients.ts';
import type { Ports } from '#shared/aws/ports.ts';
import { type AuditTrailPorts, buildAuditTrailPorts, buildPorts } from '#shared/aws/ports-from-env.ts';
import { resourcesFromEnv } from '#shared/aws/resources.ts';

let cached: { clients: AwsClients; ports: Ports } | undefined;

/**
 * The ports a Lambda works over, built on first use and kept for the life of the execution environment.
 * Rebuilt only when the clients were reset (the local runtime and tests point them at new endpoints).
 */
export function stagePorts(): Ports {
  const clients = awsClients();
  if (cached?.clients !== clients) cached = { clients, ports: buildPorts(clients, resourcesFromEnv()) };
  return cached.ports;
}

/**
 * A stage's service, built over the current ports and rebuilt only when they change (once per Lambda
 * execution environment; again when the local runtime or a test points the clients somewhere new).
 */
export function servicePerPorts<T>(make: (ports: Ports) => T): () => T {
  let memo: { ports: Ports; service: T } | undefined;
  return () => {
    const ports = stagePorts();
    if (memo?.ports !== ports) memo = { ports, service: make(ports) };
    return memo.service;
  };
}

let cachedTrail: { clients: AwsClients; ports: AuditTrailPorts } | undefined;

/** The audit chainer's and sealer's ports, built once per execution environment as `stagePorts`. */
export function auditTrailPorts(): AuditTrailPorts {
  const clients = awsClients();
  if (cachedTrail?.clients !== clients)
    cachedTrail = { clients, ports: buildAuditTrailPorts(clients, resourcesFromEnv()) };
  return cachedTrail.ports;
}
