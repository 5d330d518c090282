/**
 * Size limits of an import. A record over the limit is quarantined with its size, never
 * dropped: the longest column a table accepts is 100,000 characters, so such a record can
 * never be valid, and keeping it out of the staging file keeps DuckDB's line reader in bounds.
 */
export const RECORD_LIMIT_BYTES = 8_000_000;

/** Source columns beyond this make a file unimportable (the widest table has 9 columns). */
export const MAX_SOURCE_COLUMNS = 1_000;

/** How much of a rejected record's raw text the quarantine keeps. */
export const RAW_SAMPLE_BYTES = 500;

/** `60.0 MB`, in decimal megabytes as the limit is stated. */
export const megabytes = (bytes: number) => `${(bytes / 1e6).toFixed(1)} MB`;

/** The reason a record over the limit is quarantined with. */
export const tooLongReason = (bytes: number) =>
  `record is ${megabytes(bytes)}, longer than the ${RECORD_LIMIT_BYTES / 1e6} MB limit`;
