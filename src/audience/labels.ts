/**
 * Japanese and English labels of the values rule conditions take (gender, age band, prefecture,
 * interest category), and the reading of what a marketer types (`30代`, `女性`, `東京`, `料理`)
 * as the codes the tables store. Which codes exist is the data's business (see
 * `condition-values.ts`); this module only knows how each code is said.
 */
import { AGE_BANDS } from '../schema/index.ts';

export const CONDITION_FIELDS = ['gender', 'age_band', 'region', 'interest'] as const;
export type ConditionField = (typeof CONDITION_FIELDS)[number];

export interface Label {
  ja: string;
  en: string;
}

export const FIELD_LABELS: Record<ConditionField, Label> = {
  gender: { ja: '性別', en: 'Gender' },
  age_band: { ja: '年代', en: 'Age' },
  region: { ja: '地域（都道府県）', en: 'Prefecture' },
  interest: { ja: '興味関心', en: 'Interest' },
};

const GENDER: Record<string, Label> = {
  female: { ja: '女性', en: 'Female' },
  male: { ja: '男性', en: 'Male' },
  unknown: { ja: '不明', en: 'Unknown' },
};

const AGE: Record<string, Label> = Object.fromEntries(
  AGE_BANDS.map((b) => [
    b,
    b === 'unknown'
      ? { ja: '不明', en: 'Unknown' }
      : b === '70+'
        ? { ja: '70代以上', en: '70+' }
        : { ja: `${b.slice(0, -1)}代`, en: b },
  ]),
);

/** The third-party (DMP) interest taxonomy this engine ships with; other codes show as themselves. */
const INTEREST: Record<string, Label> = {
  cooking: { ja: '料理・レシピ', en: 'Cooking & recipes' },
  time_saving_cooking: { ja: '時短料理', en: 'Quick meals' },
  baking: { ja: 'お菓子・パン作り', en: 'Baking' },
  health_food: { ja: '健康食品・栄養', en: 'Health food' },
  kitchen_appliances: { ja: 'キッチン家電', en: 'Kitchen appliances' },
  beauty: { ja: '美容・コスメ', en: 'Beauty & cosmetics' },
  baby_kids: { ja: '育児・子ども', en: 'Babies & kids' },
  pets: { ja: 'ペット', en: 'Pets' },
  alcohol: { ja: 'お酒', en: 'Alcoholic drinks' },
  gourmet: { ja: 'グルメ・お取り寄せ', en: 'Gourmet & mail-order food' },
  sweets: { ja: 'スイーツ', en: 'Sweets' },
  coffee_tea: { ja: 'カフェ・コーヒー', en: 'Coffee & tea' },
  saving_money: { ja: '節約・ポイ活', en: 'Saving money & points' },
  cleaning_storage: { ja: '掃除・収納', en: 'Cleaning & storage' },
  travel: { ja: '旅行', en: 'Travel' },
  luxury_cars: { ja: '高級車・輸入車', en: 'Luxury & imported cars' },
  cars: { ja: 'クルマ・カー用品', en: 'Cars' },
  fashion: { ja: 'ファッション', en: 'Fashion' },
  finance: { ja: '投資・マネー', en: 'Investing & money' },
  outdoor: { ja: 'アウトドア・キャンプ', en: 'Outdoor & camping' },
  fitness: { ja: 'フィットネス・筋トレ', en: 'Fitness' },
  games: { ja: 'ゲーム', en: 'Games' },
  anime: { ja: 'アニメ・マンガ', en: 'Anime & manga' },
  interior: { ja: 'インテリア・雑貨', en: 'Interior & homeware' },
  gardening: { ja: 'ガーデニング・家庭菜園', en: 'Gardening' },
  gadgets: { ja: 'ガジェット・デジタル', en: 'Gadgets & digital' },
  education: { ja: '教育・受験', en: 'Education & exams' },
  housing: { ja: '住宅・不動産', en: 'Housing & real estate' },
  career: { ja: '転職・キャリア', en: 'Jobs & careers' },
  movies_music: { ja: '映画・音楽', en: 'Movies & music' },
  sports: { ja: 'スポーツ観戦', en: 'Spectator sports' },
};

/** The 47 prefectures in JIS code order: the order pickers list them in. */
export const PREFECTURES = [
  '北海道',
  '青森県',
  '岩手県',
  '宮城県',
  '秋田県',
  '山形県',
  '福島県',
  '茨城県',
  '栃木県',
  '群馬県',
  '埼玉県',
  '千葉県',
  '東京都',
  '神奈川県',
  '新潟県',
  '富山県',
  '石川県',
  '福井県',
  '山梨県',
  '長野県',
  '岐阜県',
  '静岡県',
  '愛知県',
  '三重県',
  '滋賀県',
  '京都府',
  '大阪府',
  '兵庫県',
  '奈良県',
  '和歌山県',
  '鳥取県',
  '島根県',
  '岡山県',
  '広島県',
  '山口県',
  '徳島県',
  '香川県',
  '愛媛県',
  '高知県',
  '福岡県',
  '佐賀県',
  '長崎県',
  '熊本県',
  '大分県',
  '宮崎県',
  '鹿児島県',
  '沖縄県',
] as const;

/** How a stored value of a field is said; unknown codes are shown as they are. */
export function valueLabel(field: ConditionField, value: string): Label {
  const table =
    field === 'gender' ? GENDER : field === 'age_band' ? AGE : field === 'interest' ? INTEREST : null;
  return table?.[value] ?? { ja: value, en: value };
}

/** Width-folded, trimmed, lower-cased: `３０代` and `30代`, `Female` and `female` read alike. */
export function fold(text: string): string {
  return text.normalize('NFKC').trim().toLowerCase().replace(/\s+/g, ' ');
}

const GENDER_WORDS: Record<string, string> = {
  女性: 'female',
  女: 'female',
  女子: 'female',
  f: 'female',
  woman: 'female',
  women: 'female',
  男性: 'male',
  男: 'male',
  男子: 'male',
  m: 'male',
  man: 'male',
  men: 'male',
  不明: 'unknown',
};

function ageCode(text: string): string | null {
  if (text === '不明') return 'unknown';
  const m = /^(\d{2})(?:代|歳代|s|-\d{2}|〜\d{2}|~\d{2}|歳?以上|代以上|\+)?$/.exec(text);
  if (!m) return null;
  const decade = Number(m[1]);
  if (decade % 10 !== 0 || decade < 10) return null;
  return decade >= 70 ? '70+' : `${decade}s`;
}

/** The parts a label may be typed as: `料理・レシピ` is also `料理` and `レシピ`. */
function labelParts(label: Label): string[] {
  const ja = fold(label.ja);
  const en = fold(label.en);
  return [ja, en, ...ja.split(/[・／/]/), ...en.split(/\s*(?:&|\/|,)\s*/)].filter((p) => p.length > 0);
}

/**
 * Reads a typed value of `field` as one of the stored codes `accepted`, or null when none fits.
 * Exact codes win; then the Japanese or English label (or one part of it: `料理` for
 * `料理・レシピ`), then field rules (`30代` -> `30s`, `東京` -> `東京都`). A value that fits two
 * codes is null too: the caller names the candidates.
 */
export function matchValue(field: ConditionField, typed: string, accepted: readonly string[]): string | null {
  const t = fold(typed);
  const exact = accepted.find((a) => fold(a) === t);
  if (exact !== undefined) return exact;
  const candidates = new Set<string>();
  if (field === 'gender' && GENDER_WORDS[t] && accepted.includes(GENDER_WORDS[t])) return GENDER_WORDS[t];
  if (field === 'age_band') {
    const code = ageCode(t);
    if (code && accepted.includes(code)) return code;
  }
  if (field === 'region') {
    // 東京 -> 東京都, 京都 -> 京都府 (the typed name is the stored one without its suffix).
    for (const a of accepted) if (fold(a).replace(/[都道府県]$/, '') === t) candidates.add(a);
  }
  for (const a of accepted) {
    const label = valueLabel(field, a);
    if (fold(label.ja) === t || fold(label.en) === t) return a;
    if (labelParts(label).includes(t)) candidates.add(a);
  }
  return candidates.size === 1 ? [...candidates][0]! : null;
}
