/**
 * Texts of the sample community: answers and reviews that carry information (a how-to, a setting,
 * a reason, a number) and ones that are only an impression (「すごいですね！」), plus short comments
 * and questions. Built from parts so that the same few hundred phrasings recombine into varied
 * texts; which kind a text is, is known to the generator (and written to the truth files).
 */
import type { Rng } from './rng.ts';

const PRODUCTS = [
  'ノンフライヤー',
  'コンベクションオーブン',
  '炊飯器',
  '電気ケトル',
  'ホットプレート',
  'ハンドブレンダー',
  'トースター',
  '冷凍ギョーザ',
  'ドリップコーヒー',
  '食洗機用洗剤',
];
const PARTS = ['バスケット', '網', 'トレー', '内釜', 'フタのパッキン', '天板', '受け皿'];
const FOODS = [
  '唐揚げ',
  'ポテト',
  '食パン',
  '焼き魚',
  'ハンバーグ',
  'シフォンケーキ',
  '焼き野菜',
  'コロッケ',
];
const FAMILY = ['2', '3', '4', '5'];

const fill = (rng: Rng, template: string): string =>
  template
    .replaceAll('{product}', rng.pick(PRODUCTS))
    .replaceAll('{part}', rng.pick(PARTS))
    .replaceAll('{food}', rng.pick(FOODS))
    .replaceAll('{family}', rng.pick(FAMILY))
    .replaceAll('{min}', String(3 + rng.int(13)))
    .replaceAll('{deg}', String(160 + 10 * rng.int(5)))
    .replaceAll('{months}', String(1 + rng.int(11)))
    .replaceAll('{litre}', String(2 + rng.int(4)));

/** Answers that help: a procedure, a setting, a reason or a comparison. */
const ANSWER_HOW = [
  '予熱を{min}分ほどしてから入れると、ムラなく焼けますよ。',
  '{part}は外して、ぬるま湯に重曹を溶かしてつけ置きすると汚れが落ちやすいです。',
  '私は{deg}度で{min}分焼いています。途中で一度裏返すとカリッと仕上がります。',
  '{food}なら、クッキングシートを敷いてから並べると後片付けが楽になります。',
  '説明書の後半に設定方法が載っています。タイマーはボタンの長押しで解除できます。',
  '{family}人家族なら容量{litre}リットル以上を選ぶと、一度に作れるので時短になります。',
  '{food}は冷凍のまま入れて大丈夫です。{deg}度で{min}分、様子を見て追加してください。',
  '油を少しスプレーしてから焼くと、{food}の表面がパサつかずに仕上がります。',
];
const ANSWER_WHY = [
  '庫内に熱がこもりやすいので、詰め込みすぎないのがコツです。',
  '温度が低いと水分が抜けきらないため、べちゃっとしてしまいます。',
  '{part}に油が残ると煙が出やすいので、毎回拭いておくと安心です。',
  '同じ機種を{months}か月使っていますが、この方法で失敗はありません。',
  'メーカーのサポートに聞いたところ、この手順が推奨とのことでした。',
];
const ANSWER_OPEN = ['', '', 'うちでもよくやります。', '私も最初迷いました。', 'わかる範囲で回答します。'];

/** Reviews that inform: how it is used, what is good, what is not. */
const REVIEW_USE = [
  '{product}を{months}か月使っています。',
  '{family}人家族で{product}を毎日使っています。',
  '買い替えで{product}を選びました。',
];
const REVIEW_GOOD = [
  '{food}が油なしでもカリッと仕上がり、洗い物も少なくて助かっています。',
  '予熱なしですぐ使えるので、朝の忙しい時間に{min}分で一品作れます。',
  '{part}が外して丸洗いできるので、手入れが簡単です。',
  '温度を{deg}度まで細かく設定できるので、お菓子作りにも使えます。',
];
const REVIEW_BAD = [
  'ただ本体が大きいので、置き場所は事前に測ったほうがいいです。',
  'ただ動作音が少し大きいのが気になります。',
  '容量は{litre}リットルで、{family}人分だと二回に分ける必要があります。',
  '',
];

/** Reactions that carry no information. */
const IMPRESSIONS = [
  'すごいですね！',
  '参考になります！',
  'いいですね〜',
  '私も気になってました',
  'おいしそう！',
  '素敵です✨',
  'わかります笑',
  'ありがとうございます！楽しみです',
  '同じく知りたいです',
  'うらやましいです！',
  'さすがです！',
  'なるほど〜',
  '最高です！',
  '買ってよかった！',
  'かわいい♪',
  '星5つです！',
  'お気に入りです',
  'これいいですよね',
];
const IMPRESSION_TAIL = ['', '', '！', '😊', 'また見に来ます', '応援してます'];

const COMMENTS = [
  '素敵なレシピですね！今度まねしてみます',
  'いつも楽しく読んでいます',
  '写真がとてもきれいですね',
  'うちの子も{food}が大好きです',
  'この使い方は知りませんでした',
  '続きも楽しみにしています',
];
const COMPANY_COMMENTS = [
  '新商品たのしみにしています！',
  'いつも愛用しています',
  '開発の話、おもしろかったです',
  '次は{food}のレシピも知りたいです',
  'キャンペーン応募しました',
];
const QUESTIONS = [
  '{product}の{part}のお手入れはどうしていますか？',
  '{food}をうまく焼くコツはありますか？',
  '{family}人家族だとどのくらいの容量がいいでしょうか？',
  '{product}で{food}を作るときの温度と時間を教えてください',
];
const IDEAS = [
  '{part}が食洗機対応だとうれしいです',
  '{food}用の自動メニューがほしいです',
  '{product}に小さめサイズを追加してほしいです',
];

export type TextKind =
  | 'answer'
  | 'review'
  | 'impression_answer'
  | 'impression_review'
  | 'comment'
  | 'company_comment'
  | 'question'
  | 'idea';

/** A text of the given kind. */
export function communityText(rng: Rng, kind: TextKind): string {
  switch (kind) {
    case 'answer':
      return fill(
        rng,
        rng.pick(ANSWER_OPEN) + rng.pick(ANSWER_HOW) + (rng.chance(0.6) ? rng.pick(ANSWER_WHY) : ''),
      );
    case 'review':
      return fill(rng, rng.pick(REVIEW_USE) + rng.pick(REVIEW_GOOD) + rng.pick(REVIEW_BAD));
    case 'impression_answer':
    case 'impression_review':
      return rng.pick(IMPRESSIONS) + rng.pick(IMPRESSION_TAIL);
    case 'comment':
      return fill(rng, rng.pick(COMMENTS));
    case 'company_comment':
      return fill(rng, rng.pick(COMPANY_COMMENTS));
    case 'question':
      return fill(rng, rng.pick(QUESTIONS));
    case 'idea':
      return fill(rng, rng.pick(IDEAS));
  }
}
