/**
 * Problem details in Japanese, for clients that send `Accept-Language: ja` (the studio, marketers'
 * tools): a title per problem type, and a detail that is the error's own Japanese wording when it
 * has one (`detailJa`), else a sentence per type naming the field. The English detail stays in
 * `detailEn`, so nothing the English problem says is lost.
 */
import type { ProblemDetails } from '../schema/index.ts';

interface Entry {
  title: string;
  /** Detail when the error has no Japanese wording of its own. */
  detail: (p: ProblemDetails) => string;
}

const at = (p: ProblemDetails) => (typeof p.field === 'string' && p.field ? `（項目: ${p.field}）` : '');

export const PROBLEMS_JA: Record<string, Entry> = {
  'invalid-input': {
    title: '入力が正しくありません',
    detail: (p) => `リクエストの値が正しくありません${at(p)}。`,
  },
  'bad-request': { title: '不正なリクエスト', detail: () => 'リクエストを読み取れませんでした。' },
  unauthorized: {
    title: '認証が必要です',
    detail: () =>
      'APIキーがないか、有効ではありません。「Authorization: Bearer <APIキー>」を送ってください。',
  },
  forbidden: {
    title: '権限がありません',
    detail: (p) =>
      `このキー（${String(p.role ?? '')}）ではこの操作はできません。必要な権限: ${Array.isArray(p.required) ? p.required.join('、') : ''}`,
  },
  'not-found': {
    title: '見つかりません',
    detail: (p) => (p.id ? `「${String(p.id)}」は存在しません。` : '指定されたものは存在しません。'),
  },
  conflict: { title: '競合しています', detail: (p) => `すでに存在するか、状態が合いません${at(p)}。` },
  'insufficient-data': {
    title: 'データが足りません',
    detail: (p) => `この計算に必要なデータが足りません${at(p)}。`,
  },
  'rate-limited': { title: 'リクエストが多すぎます', detail: () => 'しばらく待ってから再度お試しください。' },
  'quota-exceeded': { title: '利用上限に達しました', detail: () => 'このキーの利用上限に達しました。' },
  'payload-too-large': {
    title: 'データが大きすぎます',
    detail: () => '送信されたデータが上限を超えています。',
  },
  'unsupported-media-type': {
    title: '対応していない形式です',
    detail: () => 'この形式のデータは受け付けていません。',
  },
  unavailable: { title: '利用できません', detail: () => 'このサーバーではこの機能を利用できません。' },
  'workspace-busy': { title: 'ワークスペースが使用中です', detail: () => '別の処理が実行中です。' },
  cancelled: { title: '取り消されました', detail: () => '処理は取り消されました。' },
  'import-file-rejected': {
    title: 'ファイルを取り込めません',
    detail: (p) => `ファイルを取り込めませんでした${at(p)}。`,
  },
  'repeated-import': {
    title: '取り込み済みのファイルです',
    detail: () => '同じファイルはすでに取り込まれています。',
  },
  'internal-error': {
    title: 'サーバーエラー',
    detail: () => 'サーバーで処理できませんでした。記録済みです。',
  },
  'internal-invariant': { title: 'サーバーエラー', detail: () => 'サーバー内部の検査に失敗しました。' },
};

/** True when the request's Accept-Language prefers Japanese over English (q-values honoured). */
export function prefersJapanese(header: string | undefined): boolean {
  if (!header) return false;
  let ja = -1;
  let en = -1;
  for (const part of header.split(',')) {
    const [tag = '', ...params] = part.trim().toLowerCase().split(';');
    const q = Number(
      params
        .find((x) => x.trim().startsWith('q='))
        ?.trim()
        .slice(2) ?? '1',
    );
    const weight = Number.isFinite(q) ? q : 0;
    if (tag === 'ja' || tag.startsWith('ja-')) ja = Math.max(ja, weight);
    else if (tag === 'en' || tag.startsWith('en-') || tag === '*') en = Math.max(en, weight);
  }
  return ja > 0 && ja >= en;
}

/** The problem in the caller's language; `detailJa` (the error's own Japanese) never leaves as such. */
export function localise(p: ProblemDetails, japanese: boolean): ProblemDetails {
  const { detailJa, ...rest } = p as ProblemDetails & { detailJa?: unknown };
  if (!japanese) return rest;
  const type = String(p.type).split('/').pop() ?? '';
  const entry = PROBLEMS_JA[type];
  const detail = typeof detailJa === 'string' ? detailJa : entry ? entry.detail(p) : null;
  return {
    ...rest,
    title: entry?.title ?? rest.title,
    detail: detail ?? rest.detail,
    detailEn: rest.detail,
  };
}
