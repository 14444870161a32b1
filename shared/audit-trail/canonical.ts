import canonicalize from 'canonicalize';
import { sha256Hex } from '#shared/identity/identifiers.ts';

/**
 * RFC 8785 JSON canonicalization (the `canonicalize` package, by one of the RFC's authors): the same
 * value always gives the same bytes, whatever order its keys were written in, so a hash of it is the
 * hash of the value. Undefined members are left out, as JSON.stringify does.
 */
export function canonical(value: unknown): string {
  const text = canonicalize(value);
  if (text === undefined) throw new Error('a value with no JSON form cannot be canonicalized');
  return text;
}

/** SHA-256 of a value's canonical form, hex. */
export function canonicalHash(value: unknown): string {
  return sha256Hex(canonical(value));
}
