/**
 * The names of ladder classes, Japanese first (as practitioners write them) with English beside
 * them, and stable ASCII IDs for the API. One table per ladder, so a label changes in one place.
 */

export interface Label {
  ja: string;
  en: string;
}

/** CPM stages in growth order (初回 → よちよち → コツコツ / 流行 → 優良). */
export const CPM_STAGES = ['first', 'toddler', 'steady', 'trendy', 'loyal'] as const;
export type CpmStage = (typeof CPM_STAGES)[number];
export const CPM_STATES = ['active', 'lapsed'] as const;
export type CpmState = (typeof CPM_STATES)[number];
export type CpmClassId = `${CpmStage}_${CpmState}`;

export const CPM_STAGE_LABELS: Readonly<Record<CpmStage, Label>> = {
  first: { ja: '初回', en: 'First purchase' },
  toddler: { ja: 'よちよち', en: 'Toddler (new repeater)' },
  steady: { ja: 'コツコツ', en: 'Steady (long, low spend)' },
  trendy: { ja: '流行', en: 'Trendy (short, high spend)' },
  loyal: { ja: '優良', en: 'Loyal (long, high spend)' },
};
export const CPM_STATE_LABELS: Readonly<Record<CpmState, Label>> = {
  active: { ja: '現役', en: 'active' },
  lapsed: { ja: '離脱', en: 'lapsed' },
};

/**
 * Growth rank of a stage: コツコツ and 流行 are two ways up from よちよち (by time or by spend), so
 * they share a rank and a move between them is sideways.
 */
export const CPM_STAGE_RANK: Readonly<Record<CpmStage, number>> = {
  first: 0,
  toddler: 1,
  steady: 2,
  trendy: 2,
  loyal: 3,
};

export const CPM_CLASSES: readonly CpmClassId[] = CPM_STAGES.flatMap((s) =>
  CPM_STATES.map((st) => `${s}_${st}` as CpmClassId),
);

export function cpmClassLabel(id: CpmClassId): Label {
  const [stage, state] = id.split('_') as [CpmStage, CpmState];
  return {
    ja: `${CPM_STAGE_LABELS[stage].ja}・${CPM_STATE_LABELS[state].ja}`,
    en: `${CPM_STAGE_LABELS[stage].en}, ${CPM_STATE_LABELS[state].en}`,
  };
}

/**
 * What a CRM team does for each class: the next purchase for 初回, the habit for よちよち, basket
 * size for コツコツ, the habit again for 流行 (spend came fast, tenure has not), keeping 優良, and
 * winning back every 離脱 class (優良・離脱 first: the most value lost).
 */
export const CPM_PLAYBOOK: Readonly<Record<CpmClassId, Label>> = {
  first_active: {
    ja: '2回目購入のきっかけづくり：サンクスメール、次回使えるクーポン、使い方フォロー',
    en: 'Second purchase: thank-you mail, next-order coupon, how-to follow-up',
  },
  first_lapsed: {
    ja: '掘り起こし：初回購入商品の関連提案と復帰クーポン',
    en: 'Win back: offers related to their first purchase and a return coupon',
  },
  toddler_active: {
    ja: '購入習慣化：定期購入・まとめ買いの提案、リピート商品のリマインド',
    en: 'Build the habit: subscription and bulk offers, reminders of repeat items',
  },
  toddler_lapsed: {
    ja: '掘り起こし：購入履歴に基づくリピート商品の案内',
    en: 'Win back: reminders of the items they bought again',
  },
  steady_active: {
    ja: '客単価アップ：上位商品・関連カテゴリのクロスセル',
    en: 'Raise spend: premium items and cross-category offers',
  },
  steady_lapsed: {
    ja: '掘り起こし：長年の利用への感謝と復帰特典',
    en: 'Win back: thanks for long custom and a return benefit',
  },
  trendy_active: {
    ja: '継続の定着：次回購入の予約・リピート商品の補充案内で関係を長く保つ',
    en: 'Make it last: replenishment reminders and pre-orders to keep them coming back',
  },
  trendy_lapsed: {
    ja: '早期の掘り起こし：離脱理由の確認と個別オファー',
    en: 'Win back early: ask why they left, personal offer',
  },
  loyal_active: {
    ja: '維持・特別扱い：新商品の先行案内、会員限定特典、感謝の連絡',
    en: 'Retain: early access, member-only benefits, personal thanks',
  },
  loyal_lapsed: {
    ja: '最優先の復帰施策：個別連絡と特別オファー（失った価値が最も大きい層）',
    en: 'Win back first: personal contact and a special offer (the most value lost)',
  },
};

/** Engagement indices, lowest psychological hurdle first. */
export const ENGAGEMENT_INDICES = ['support', 'affinity', 'interaction', 'contribution'] as const;
export type EngagementIndex = (typeof ENGAGEMENT_INDICES)[number];
/** A member's engagement status: the highest-hurdle index they pass, or none. */
export type EngagementStatus = EngagementIndex | 'none';
export const ENGAGEMENT_STATUSES: readonly EngagementStatus[] = ['none', ...ENGAGEMENT_INDICES];

export const ENGAGEMENT_LABELS: Readonly<Record<EngagementStatus, Label>> = {
  none: { ja: '未到達', en: 'None yet' },
  support: { ja: '応援度', en: 'Support' },
  affinity: { ja: '好意度', en: 'Affinity' },
  interaction: { ja: '交流度', en: 'Interaction' },
  contribution: { ja: '貢献度', en: 'Contribution' },
};
