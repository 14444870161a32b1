/**
 * Turns a raw DynamoDB item (`{ name: { S: '...' } }`) into plain values. The document client does this
 * for responses, but not for the `Item` a ConditionalCheckFailedException carries when the request asked
 * for ReturnValuesOnConditionCheckFailure, so the adapters need it for that one path. Numbers become JS
 * numbers: the table holds versions, counts and amounts, all well inside double precision.
 * (@aws-sdk/util-dynamodb's unmarshall does the same; it is not a declared dependency.)
 */
export type RawAttributeValue = {
  S?: string;
  N?: string;
  BOOL?: boolean;
  NULL?: boolean;
  M?: Record<string, RawAttributeValue>;
  L?: RawAttributeValue[];
  SS?: string[];
  NS?: string[];
  B?: Uint8Array;
  BS?: Uint8Array[];
};

export function unmarshallValue(value: RawAttributeValue): unknown {
  if (value.S !== undefined) return value.S;
  if (value.N !== undefined) return Number(value.N);
  if (value.BOOL !== undefined) return value.BOOL;
  if (value.NULL !== undefined) return null;
  if (value.M !== undefined) return unmarshallItem(value.M);
  if (value.L !== undefined) return value.L.map(unmarshallValue);
  if (value.SS !== undefined) return new Set(value.SS);
  if (value.NS !== undefined) return new Set(value.NS.map(Number));
  if (value.B !== undefined) return value.B;
  if (value.BS !== undefined) return new Set(value.BS);
  throw new Error(`unsupported DynamoDB attribute value: ${Object.keys(value).join(',')}`);
}

export function unmarshallItem(item: Record<string, RawAttributeValue>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(item)) out[k] = unmarshallValue(v);
  return out;
}
