// Output names and the PascalCase helper live in the topology, so the CLI reads what infra writes.
export { OUTPUT, pascal } from '#shared/topology.ts';
