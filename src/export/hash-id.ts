/** SHA-256 and HMAC for destination IDs live in `schema/sha256.ts`, so fingerprints left of export share them. */
export { HmacSha256, sha256Hex, sha256HexBytes, sha256HexInto } from '../schema/sha256.ts';
