import { execFile, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import {
  byChunks,
  kuromojiTokenizer,
  poolTokenizer,
  type Token,
  type Tokenizer,
  type TokenizerBackendName,
  type TokenizerPool,
} from '../needs/index.ts';
import { InvalidInputError } from '../schema/index.ts';

/** Where a MeCab install with the IPADIC dictionary was found. */
export interface MecabInfo {
  command: string;
  /** Dictionary directory passed with -d, or null for MeCab's default (verified to be IPADIC). */
  dicdir: string | null;
  version: string;
}

// Debian installs several dictionaries side by side; name IPADIC explicitly when it is there so
// a system default of jumandic cannot change the tokens.
const IPADIC_DIRS = [
  '/var/lib/mecab/dic/ipadic-utf8',
  '/usr/lib/x86_64-linux-gnu/mecab/dic/ipadic-utf8',
  '/usr/lib/aarch64-linux-gnu/mecab/dic/ipadic-utf8',
  '/usr/local/lib/mecab/dic/ipadic',
  '/opt/homebrew/lib/mecab/dic/ipadic',
];

// One token per line: surface, POS, POS detail 1 and 2, conjugated form, base form, reading. Tabs, not
// commas, separate the fields so that a comma in a surface cannot shift them. Unknown words have
// no base form; kuromoji reports '*', which both backends turn into the surface.
const NODE_FORMAT = '%m\\t%f[0]\\t%f[1]\\t%f[2]\\t%f[5]\\t%f[6]\\t%f[7]\\n';
const UNK_FORMAT = '%m\\t%f[0]\\t%f[1]\\t%f[2]\\t%f[5]\\t*\\t*\\n';

function run(command: string, args: string[], input: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { stdio: ['pipe', 'pipe', 'pipe'] });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on('data', (b: Buffer) => out.push(b));
    child.stderr.on('data', (b: Buffer) => err.push(b));
    child.on('error', reject);
    child.on('close', (code) => {
      if (code === 0) resolve(Buffer.concat(out).toString('utf8'));
      else reject(new Error(`${command} exited with ${code}: ${Buffer.concat(err).toString('utf8').trim()}`));
    });
    child.stdin.on('error', reject);
    child.stdin.end(input, 'utf8');
  });
}

function baseArgs(info: MecabInfo): string[] {
  const args = [
    `--node-format=${NODE_FORMAT}`,
    `--unk-format=${UNK_FORMAT}`,
    '--eos-format=EOS\\n',
    // MeCab cuts input lines at 8 KiB by default; a long sentence must stay one sentence.
    '--input-buffer-size=4194304',
  ];
  if (info.dicdir) args.push('-d', info.dicdir);
  return args;
}

let probing: Promise<MecabInfo | null> | null = null;

/**
 * Finds the `mecab` command with an IPADIC dictionary, once per process. Returns null when MeCab
 * is not installed or its dictionary is not IPADIC (another dictionary would give other tokens).
 *
 * @param command the MeCab executable (default `mecab` on the PATH)
 * @example
 * const info = await findMecab();
 * if (info) console.log(`MeCab ${info.version}`);
 */
export function findMecab(command = 'mecab'): Promise<MecabInfo | null> {
  if (probing && command === 'mecab') return probing;
  const probe = (async (): Promise<MecabInfo | null> => {
    const version = await new Promise<string | null>((resolve) => {
      execFile(command, ['-v'], (err, stdout) => resolve(err ? null : stdout.trim()));
    });
    if (version === null) return null;
    const dicdir = IPADIC_DIRS.find((d) => existsSync(`${d}/sys.dic`)) ?? null;
    const info: MecabInfo = { command, dicdir, version };
    try {
      // IPADIC tags 掃除 as a サ変接続 noun; jumandic and unidic use other POS names.
      const out = await run(command, baseArgs(info), '掃除\n');
      return out.startsWith('掃除\t名詞\tサ変接続') ? info : null;
    } catch {
      return null;
    }
  })();
  if (command === 'mecab') probing = probe;
  return probe;
}

/**
 * Tokenizes sentences with MeCab in one child process. The tokens match kuromoji's (same IPADIC);
 * MeCab is several times faster, so batch work uses it when installed.
 *
 * @param info from `findMecab()`
 * @param sentences normalised sentences without line breaks
 * @returns one token list per sentence
 * @throws Error when MeCab fails or its output does not line up with the input
 * @example
 * const info = await findMecab();
 * if (info) await tokenizeMecab(info, ['パンが焼ける']);
 */
export function tokenizeMecab(info: MecabInfo, sentences: readonly string[]): Promise<Token[][]> {
  return byChunks(sentences, (pieces) => runMecab(info, pieces));
}

async function runMecab(info: MecabInfo, sentences: readonly string[]): Promise<Token[][]> {
  if (sentences.length === 0) return [];
  const input = `${sentences.map((s) => s.replace(/[\r\n]/g, ' ')).join('\n')}\n`;
  const output = await run(info.command, baseArgs(info), input);
  const result: Token[][] = [];
  let current: Token[] = [];
  for (const line of output.split('\n')) {
    if (line === 'EOS') {
      result.push(current);
      current = [];
      continue;
    }
    if (!line) continue;
    // MeCab prints a '*' feature as an empty field; kuromoji keeps the '*'.
    const [surface = '', pos = '', pos1, pos2, conjForm, base, reading] = line
      .split('\t')
      .map((f, i) => (i > 0 && f === '' ? '*' : f));
    current.push({
      surface,
      base: base === '*' || !base ? surface : base,
      pos,
      pos1: pos1 ?? '*',
      pos2: pos2 ?? '*',
      conjForm: conjForm ?? '*',
      reading: reading === '*' || !reading ? surface : reading,
    });
  }
  if (result.length !== sentences.length) {
    throw new Error(`mecab returned ${result.length} sentences for ${sentences.length} lines of input`);
  }
  return result;
}

/**
 * Picks a tokenizer. `kuromoji` is always available; `mecab` needs the `mecab` command with
 * IPADIC (same dictionary, same tokens, several times faster); `auto` takes MeCab when present,
 * else the pool when given, else in-thread kuromoji.
 *
 * @param backend which backend
 * @param pool optional worker pool used by `kuromoji` and `auto`
 * @throws InvalidInputError when `mecab` is asked for and not installed
 * @example
 * const tk = await resolveTokenizer('auto');
 * await tk.tokenize(['パンが焼ける']);
 */
export async function resolveTokenizer(
  backend: TokenizerBackendName = 'kuromoji',
  pool?: TokenizerPool,
): Promise<Tokenizer> {
  if (backend === 'kuromoji') return pool ? poolTokenizer(pool) : kuromojiTokenizer;
  const mecab = await findMecab();
  if (mecab) return { name: 'mecab', tokenize: (s) => tokenizeMecab(mecab, s) };
  if (backend === 'mecab') {
    throw new InvalidInputError(
      'the mecab backend needs the `mecab` command with the IPADIC dictionary (Debian: apt-get install mecab mecab-ipadic-utf8)',
      'backend',
    );
  }
  return pool ? poolTokenizer(pool) : kuromojiTokenizer;
}
