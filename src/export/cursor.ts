import { InvalidInputError } from '../schema/index.ts';

/** Where a paginated pull continues: the snapshot it started on and the next row offset. */
export interface Cursor {
  snapshot: string;
  offset: number;
}

const toBase64Url = (text: string) => btoa(text).replaceAll('+', '-').replaceAll('/', '_').replace(/=+$/, '');
const fromBase64Url = (text: string) => atob(text.replaceAll('-', '+').replaceAll('_', '/'));

export function encodeCursor(cursor: Cursor): string {
  return toBase64Url(JSON.stringify({ s: cursor.snapshot, o: cursor.offset }));
}

/**
 * Reads a cursor and checks it belongs to the snapshot being served, so a client never mixes
 * pages of two versions of an audience.
 *
 * @throws InvalidInputError when the cursor is malformed or from another snapshot.
 */
export function decodeCursor(text: string, snapshot: string): Cursor {
  let parsed: { s?: unknown; o?: unknown };
  try {
    parsed = JSON.parse(fromBase64Url(text)) as { s?: unknown; o?: unknown };
  } catch {
    throw new InvalidInputError(
      'the cursor is not valid; use the cursor from the previous page unchanged',
      'cursor',
    );
  }
  if (
    typeof parsed.s !== 'string' ||
    typeof parsed.o !== 'number' ||
    !Number.isInteger(parsed.o) ||
    parsed.o < 0
  ) {
    throw new InvalidInputError(
      'the cursor is not valid; use the cursor from the previous page unchanged',
      'cursor',
    );
  }
  if (parsed.s !== snapshot) {
    throw new InvalidInputError(
      `the cursor belongs to snapshot ${parsed.s}, but the audience is now at ${snapshot}; restart the pull without a cursor`,
      'cursor',
    );
  }
  return { snapshot: parsed.s, offset: parsed.o };
}
