import { sha256 } from '@noble/hashes/sha2.js';
import { bytesToHex } from '@noble/hashes/utils.js';

const encoder = new TextEncoder();

/**
 * The form in which a member identifier may leave the system: SHA-256 (hex) of the identifier
 * trimmed and lower-cased, the normalisation ad platforms apply to hashed customer lists.
 * Pure JS, so the Worker computes the same value as Node.
 */
export function hashMemberId(id: string): string {
  return bytesToHex(sha256(encoder.encode(id.trim().toLowerCase())));
}
