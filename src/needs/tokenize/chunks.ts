/**
 * Splits sentences at spaces, runs a tokenizer on the pieces, and joins each sentence's tokens
 * back. A space in Japanese text separates words (search phrases: 「ノンフライヤー 掃除 楽」);
 * kuromoji keeps it as a token that still takes part in the lattice while MeCab skips it, so
 * the two disagree around spaces unless each piece is analysed on its own.
 */
export async function byChunks<T>(
  sentences: readonly string[],
  run: (pieces: string[]) => Promise<T[][]> | T[][],
): Promise<T[][]> {
  const pieces: string[] = [];
  const counts: number[] = [];
  for (const s of sentences) {
    const parts = s.split(' ').filter((p) => p !== '');
    counts.push(parts.length);
    pieces.push(...parts);
  }
  const tokens = await run(pieces);
  const out: T[][] = [];
  let k = 0;
  for (const n of counts) {
    out.push(tokens.slice(k, k + n).flat());
    k += n;
  }
  return out;
}
