/**
 * The workspace table contracts (DESIGN §3). Every layer that reads or writes a table goes
 * through these definitions, so a column rename happens in one place.
 */

/** Logical column types; each maps to one DuckDB type and one validation rule at import. */
export type ColumnType = 'id' | 'text' | 'enum' | 'date' | 'timestamp' | 'integer' | 'number' | 'boolean';

export interface ColumnSpec {
  readonly name: string;
  readonly type: ColumnType;
  /** A required column must be present in the file and non-empty on every row. */
  readonly required: boolean;
  /** Allowed canonical values for `enum` columns. */
  readonly values?: readonly string[];
  /** Inclusive numeric bounds, checked after coercion. */
  readonly min?: number;
  readonly max?: number;
  /** Value used when the column is absent from the file (never when present but empty). */
  readonly default?: string;
  /** SQL over the row's other (coerced) columns, used when the value is absent or empty. */
  readonly derive?: string;
  /** Longest accepted text, in characters. */
  readonly maxLength?: number;
  /**
   * Contact values normalised at import (`text` columns only): `email` is trimmed and lower-cased,
   * `phone` becomes E.164 (`+819012345678`, Japan when no country code is given). Rows whose value
   * cannot be normalised are quarantined with the reason.
   */
  readonly format?: ContactFormat;
  readonly description: string;
}

export const CONTACT_FORMATS = ['email', 'phone'] as const;
export type ContactFormat = (typeof CONTACT_FORMATS)[number];

/** A rule over several columns of one row; `sql` is a DuckDB boolean that is true when the row is bad. */
export interface RowRule {
  readonly columns: readonly string[];
  readonly sql: string;
  readonly reason: string;
}

export interface TableSpec {
  readonly name: TableName;
  readonly description: string;
  readonly columns: readonly ColumnSpec[];
  /** Columns whose combination must be unique across the table (absent for line tables). */
  readonly key?: readonly string[];
  /**
   * Keyed tables of decisions: an upsert leaves a stored row in place when the file's row for the
   * key is dated (by this column) before it, so a file imported late cannot undo a later decision.
   * Rows without a date replace as usual.
   */
  readonly newerBy?: string;
  readonly rules?: readonly RowRule[];
}

export const TABLE_NAMES = [
  'members',
  'products',
  'stores',
  'transactions',
  'id_links',
  'tp_profiles',
  'tp_interests',
  'tp_searches',
  'site_visits',
  'texts',
  'actions',
  'consents',
] as const;

export type TableName = (typeof TABLE_NAMES)[number];

export const GENDERS = ['female', 'male', 'unknown'] as const;
export const CHANNELS = ['store', 'ec'] as const;
export const AGE_BANDS = ['10s', '20s', '30s', '40s', '50s', '60s', '70+', 'unknown'] as const;
/** Whose ID an action's actor_id is: a member's, or a third-party (DMP) profile's. */
const ACTOR_KINDS = ['member', 'third_party'] as const;

const id = (name: string, description: string, required = true): ColumnSpec => ({
  name,
  type: 'id',
  required,
  description,
});

export const TABLES: Readonly<Record<TableName, TableSpec>> = {
  members: {
    name: 'members',
    description: '1st-party member master',
    key: ['member_id'],
    columns: [
      id('member_id', 'member identifier'),
      {
        name: 'gender',
        type: 'enum',
        values: GENDERS,
        required: false,
        default: 'unknown',
        description: 'female, male or unknown',
      },
      { name: 'birth_date', type: 'date', required: false, description: 'date of birth' },
      { name: 'prefecture', type: 'text', required: false, description: 'prefecture name, e.g. 東京都' },
      id('home_store_id', 'store where the member registered or shops most', false),
      { name: 'registered_at', type: 'date', required: false, description: 'membership registration date' },
      {
        name: 'email',
        type: 'text',
        format: 'email',
        required: false,
        maxLength: 254,
        description: 'e-mail address, stored trimmed and lower-cased; leaves only hashed, per destination',
      },
      {
        name: 'phone',
        type: 'text',
        format: 'phone',
        required: false,
        maxLength: 40,
        description: 'phone number, stored as E.164 (+81… when given without a country code)',
      },
    ],
  },
  products: {
    name: 'products',
    description: 'product master with a three-level category tree',
    key: ['product_id'],
    columns: [
      id('product_id', 'product identifier'),
      { name: 'name', type: 'text', required: false, description: 'product name (Japanese)' },
      id('category_l1', 'top-level category code', false),
      { name: 'category_l1_name', type: 'text', required: false, description: 'top-level category name' },
      id('category_l2', 'mid-level category code', false),
      { name: 'category_l2_name', type: 'text', required: false, description: 'mid-level category name' },
      id('category_l3', 'leaf category code', false),
      { name: 'category_l3_name', type: 'text', required: false, description: 'leaf category name' },
      { name: 'unit_price', type: 'number', required: false, min: 0, description: 'list price (JPY)' },
    ],
  },
  stores: {
    name: 'stores',
    description: 'store master',
    key: ['store_id'],
    columns: [
      id('store_id', 'store identifier'),
      { name: 'name', type: 'text', required: false, description: 'store name' },
      { name: 'prefecture', type: 'text', required: false, description: 'prefecture name' },
    ],
  },
  transactions: {
    name: 'transactions',
    description: 'ID-POS receipt lines; returns carry a negative quantity',
    columns: [
      id('receipt_id', 'receipt (basket) identifier'),
      id('member_id', 'member who bought; empty for anonymous sales', false),
      id('store_id', 'store of the sale', false),
      {
        name: 'channel',
        type: 'enum',
        values: CHANNELS,
        required: false,
        default: 'store',
        description: 'store or ec',
      },
      { name: 'ts', type: 'timestamp', required: true, description: 'time of sale (retailer local time)' },
      id('product_id', 'product sold'),
      { name: 'quantity', type: 'number', required: true, description: 'units; negative for a return' },
      {
        name: 'unit_price',
        type: 'number',
        required: true,
        min: 0,
        description: 'price per unit (JPY or source currency)',
      },
      {
        name: 'amount',
        type: 'number',
        required: false,
        derive: 'round(quantity * unit_price, 2)',
        description: 'line amount; quantity x unit_price when absent',
      },
    ],
    rules: [
      {
        columns: ['quantity'],
        sql: 'quantity = 0',
        reason: 'quantity is 0: a line must sell or return at least one unit',
      },
      {
        columns: ['quantity', 'amount'],
        sql: 'sign(amount) <> 0 AND sign(amount) <> sign(quantity)',
        reason: 'amount and quantity have opposite signs: a return needs both negative, a sale both positive',
      },
    ],
  },
  id_links: {
    name: 'id_links',
    description: 'identity links between members and third-party IDs',
    key: ['member_id', 'tp_id'],
    columns: [
      id('member_id', 'member identifier'),
      id('tp_id', 'third-party (DMP) user identifier'),
      {
        name: 'source',
        type: 'text',
        required: false,
        default: 'unknown',
        description: 'how the link was made (login, hashed email, ...)',
      },
      {
        name: 'confidence',
        type: 'number',
        required: false,
        min: 0,
        max: 1,
        default: '1',
        description: 'link confidence in [0, 1]',
      },
    ],
  },
  tp_profiles: {
    name: 'tp_profiles',
    description: 'third-party demographics: the acquisition universe',
    key: ['tp_id'],
    columns: [
      id('tp_id', 'third-party user identifier'),
      {
        name: 'gender',
        type: 'enum',
        values: GENDERS,
        required: false,
        default: 'unknown',
        description: 'female, male or unknown',
      },
      {
        name: 'age_band',
        type: 'enum',
        values: AGE_BANDS,
        required: false,
        default: 'unknown',
        description: 'age band: 10s ... 70+',
      },
      { name: 'region', type: 'text', required: false, description: 'prefecture or region name' },
    ],
  },
  tp_interests: {
    name: 'tp_interests',
    description: 'third-party browsing aggregated by interest category',
    key: ['tp_id', 'category'],
    columns: [
      id('tp_id', 'third-party user identifier'),
      id('category', 'interest category code'),
      { name: 'visits', type: 'integer', required: true, min: 1, description: 'page views in the category' },
      { name: 'last_seen', type: 'date', required: false, description: 'last visit in the category' },
    ],
  },
  tp_searches: {
    name: 'tp_searches',
    description: 'third-party search phrases (Japanese)',
    key: ['tp_id', 'query'],
    columns: [
      id('tp_id', 'third-party user identifier'),
      { name: 'query', type: 'text', required: true, description: 'search phrase' },
      { name: 'count', type: 'integer', required: true, min: 1, description: 'times searched' },
    ],
  },
  site_visits: {
    name: 'site_visits',
    description: "the retailer's own site sessions",
    key: ['session_id'],
    columns: [
      id('visitor_id', 'site visitor (cookie) identifier'),
      id('tp_id', 'third-party user identifier when known', false),
      id('session_id', 'session identifier'),
      { name: 'ts', type: 'timestamp', required: true, description: 'session start' },
      { name: 'pages', type: 'integer', required: true, min: 1, description: 'pages viewed' },
      {
        name: 'purchased',
        type: 'boolean',
        required: true,
        description: 'whether the session ended in a purchase',
      },
    ],
  },
  texts: {
    name: 'texts',
    description: 'consumer texts (posts, reviews, search phrases) for need classification',
    key: ['text_id'],
    columns: [
      id('text_id', 'text identifier'),
      id('tp_id', 'author third-party ID when known', false),
      id('theme', 'product theme the text is about, e.g. convection_oven', false),
      {
        name: 'source',
        type: 'text',
        required: false,
        default: 'unknown',
        description: 'blog, review, sns, search',
      },
      { name: 'posted_at', type: 'timestamp', required: false, description: 'time posted' },
      { name: 'body', type: 'text', required: true, maxLength: 20_000, description: 'the text (Japanese)' },
    ],
  },
  actions: {
    name: 'actions',
    description:
      'community and site actions (likes, comments, posts, answers, votes) for the engagement ladder',
    key: ['action_id'],
    columns: [
      id('action_id', 'action identifier'),
      id('actor_id', 'who acted: a member ID, or a third-party ID for people who are not members'),
      {
        name: 'actor_kind',
        type: 'enum',
        values: ACTOR_KINDS,
        required: false,
        default: 'member',
        description: 'member or third_party: which kind of ID actor_id is',
      },
      { name: 'ts', type: 'timestamp', required: true, description: 'time of the action' },
      id('place', 'where it happened, e.g. qa, ideas, reviews, user_blog, company_blog'),
      id('action_type', 'what was done, e.g. like, comment, post, answer, vote, follow'),
      id('target_kind', 'what it was done to, e.g. question, answer, idea, review, user_post, member', false),
      id('target_id', 'the object acted on (a post, a question, or the member followed)', false),
      {
        name: 'text',
        type: 'text',
        required: false,
        maxLength: 20_000,
        description: 'the text of a comment, answer, review or post (Japanese)',
      },
      {
        name: 'responses',
        type: 'integer',
        required: false,
        min: 0,
        default: '0',
        description: 'responses the action received (answers to a question, replies to a comment)',
      },
    ],
  },
  consents: {
    name: 'consents',
    description:
      "members' consent per purpose (e.g. ad_targeting, third_party_sharing): one row per member and purpose; an upsert dated before the stored decision is skipped, and within a file the latest-dated row of a key is the one kept",
    key: ['member_id', 'purpose'],
    newerBy: 'updated_at',
    columns: [
      id('member_id', 'member identifier'),
      id('purpose', 'what the consent is for: ad_targeting, third_party_sharing, ...'),
      {
        name: 'granted',
        type: 'boolean',
        required: true,
        description: 'true: granted; false: refused or withdrawn',
      },
      { name: 'updated_at', type: 'timestamp', required: false, description: 'when the member last decided' },
    ],
  },
};

/** Narrows a string to a table name, for input from files, flags and URLs. */
export function isTableName(name: string): name is TableName {
  return (TABLE_NAMES as readonly string[]).includes(name);
}
