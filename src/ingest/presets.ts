import { ImportFileError, InvalidInputError, type TableName } from '../schema/index.ts';
import { quoteLiteral, type Workspace } from '../store/index.ts';
import { nodeFiles } from '../store/node-files.ts';

const { join } = nodeFiles;

import { type ImportReport, importTable } from './import-table.ts';
import type { ImportMode, ImportOptions, ImportSource } from './options.ts';

/** One table of a dataset: where it comes from in the dataset folder and how its columns map. */
interface PresetStep {
  table: TableName;
  source: (dir: string) => ImportSource;
  mapping?: Record<string, string>;
  constants?: Record<string, string>;
}

export interface DatasetPreset {
  name: string;
  description: string;
  /** Files the dataset folder must hold. */
  files: readonly string[];
  steps: readonly PresetStep[];
}

export interface DatasetImportReport {
  preset: string;
  dir: string;
  reports: ImportReport[];
}

const csv = (dir: string, file: string) =>
  `read_csv(${quoteLiteral(join(dir, file))}, all_varchar = true, header = true)`;

/** The leading prefecture of a Japanese address: 東京都, 北海道, 大阪府, 京都府 or ○○県. */
const PREFECTURE_SQL = `regexp_extract(address, '^(東京都|北海道|京都府|大阪府|[^都道府県]{2,3}県)')`;

interface ProductGroupRule {
  l1: string;
  l1_name: string;
  l2: string;
  l2_name: string;
  codes?: string[];
  words?: string[];
}

/**
 * SQL columns category_l1/l1_name/l2/l2_name for Online Retail products (which have no category),
 * from the keyword rules in data/online-retail-groups.json: first matching rule wins, by stock
 * code or by a whole word of the upper-cased description.
 */
function productGroupColumnsSql(): string {
  const config = JSON.parse(
    nodeFiles.readTextSync(new URL('../../data/online-retail-groups.json', import.meta.url)),
  ) as { fallback: Omit<ProductGroupRule, 'codes' | 'words'>; rules: ProductGroupRule[] };
  const escapeRegex = (w: string) => w.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  const condition = (r: ProductGroupRule) => {
    const parts: string[] = [];
    if (r.codes?.length) parts.push(`product_id IN (${r.codes.map(quoteLiteral).join(', ')})`);
    if (r.words?.length) {
      const pattern = `\\b(${r.words.map(escapeRegex).join('|')})\\b`;
      parts.push(`regexp_matches(upper(coalesce(name, '')), ${quoteLiteral(pattern)})`);
    }
    return parts.join(' OR ') || 'false';
  };
  const column = (key: 'l1' | 'l1_name' | 'l2' | 'l2_name') =>
    `CASE ${config.rules.map((r) => `WHEN ${condition(r)} THEN ${quoteLiteral(r[key])}`).join(' ')} ELSE ${quoteLiteral(config.fallback[key])} END AS category_${key}`;
  return (['l1', 'l1_name', 'l2', 'l2_name'] as const).map(column).join(',\n');
}

/**
 * Known public datasets, imported into the workspace tables with their quirks handled in one
 * place (the SQL here is ours and trusted; user files only ever go through column mapping).
 */
export const DATASET_PRESETS: Readonly<Record<string, DatasetPreset>> = {
  'online-retail': {
    name: 'online-retail',
    description:
      'UCI Online Retail (UK e-commerce invoices 2010-12 .. 2011-12); cancellations become returns',
    files: ['online_retail.csv.gz'],
    steps: [
      {
        table: 'products',
        source: (dir) => ({
          kind: 'query',
          label: 'online_retail.csv.gz (products)',
          // No category column: product groups come from description keywords (see productGroupColumnsSql).
          sql: `SELECT *, ${productGroupColumnsSql()} FROM (
                  SELECT StockCode AS product_id, mode(trim(Description)) AS name,
                         median(TRY_CAST(UnitPrice AS DOUBLE)) FILTER (WHERE TRY_CAST(UnitPrice AS DOUBLE) > 0) AS unit_price
                  FROM ${csv(dir, 'online_retail.csv.gz')} GROUP BY StockCode) ORDER BY product_id`,
        }),
      },
      {
        table: 'members',
        source: (dir) => ({
          kind: 'query',
          label: 'online_retail.csv.gz (customers)',
          sql: `SELECT CustomerID AS member_id, mode(Country) AS prefecture
                FROM ${csv(dir, 'online_retail.csv.gz')} WHERE CustomerID IS NOT NULL
                GROUP BY CustomerID ORDER BY CustomerID`,
        }),
      },
      {
        table: 'transactions',
        source: (dir) => ({ kind: 'file', path: join(dir, 'online_retail.csv.gz') }),
        mapping: {
          InvoiceNo: 'receipt_id',
          StockCode: 'product_id',
          Quantity: 'quantity',
          InvoiceDate: 'ts',
          UnitPrice: 'unit_price',
          CustomerID: 'member_id',
        },
        constants: { channel: 'ec', store_id: 'online' },
      },
    ],
  },
  'jp-retail-master': {
    name: 'jp-retail-master',
    description: 'データサイエンス100本ノック master data: members, products with the category tree, stores',
    files: ['customer.csv', 'product.csv', 'category.csv', 'store.csv'],
    steps: [
      {
        table: 'stores',
        source: (dir) => ({ kind: 'file', path: join(dir, 'store.csv') }),
        mapping: { store_cd: 'store_id', store_name: 'name' },
      },
      {
        table: 'products',
        source: (dir) => ({
          kind: 'query',
          label: 'product.csv + category.csv',
          sql: `SELECT p.product_cd AS product_id, c.category_small_name AS name,
                       p.category_major_cd AS category_l1, c.category_major_name AS category_l1_name,
                       p.category_medium_cd AS category_l2, c.category_medium_name AS category_l2_name,
                       p.category_small_cd AS category_l3, c.category_small_name AS category_l3_name, p.unit_price
                FROM ${csv(dir, 'product.csv')} p LEFT JOIN ${csv(dir, 'category.csv')} c USING (category_small_cd)
                ORDER BY p.product_cd`,
        }),
      },
      {
        table: 'members',
        source: (dir) => ({
          kind: 'query',
          label: 'customer.csv',
          sql: `SELECT customer_id AS member_id, gender, birth_day AS birth_date, ${PREFECTURE_SQL} AS prefecture,
                       application_store_cd AS home_store_id, application_date AS registered_at
                FROM ${csv(dir, 'customer.csv')}`,
        }),
      },
    ],
  },
  'complete-journey': {
    name: 'complete-journey',
    description: 'dunnhumby The Complete Journey 2.0 (sampled grocery lines, product tree, demographics)',
    files: ['transactions_sample.csv.gz', 'products.csv.gz', 'demographics.csv.gz'],
    steps: [
      {
        table: 'products',
        source: (dir) => ({
          kind: 'query',
          label: 'products.csv.gz',
          sql: `SELECT product_id, coalesce(product_type, product_category, department) AS name,
                       department AS category_l1, department AS category_l1_name,
                       product_category AS category_l2, product_category AS category_l2_name,
                       product_type AS category_l3, product_type AS category_l3_name
                FROM ${csv(dir, 'products.csv.gz')}`,
        }),
      },
      {
        table: 'members',
        source: (dir) => ({
          kind: 'query',
          label: 'demographics.csv.gz + households in transactions',
          sql: `SELECT household_id AS member_id FROM ${csv(dir, 'demographics.csv.gz')}
                UNION SELECT household_id FROM ${csv(dir, 'transactions_sample.csv.gz')} ORDER BY 1`,
        }),
      },
      {
        table: 'transactions',
        source: (dir) => ({
          kind: 'query',
          label: 'transactions_sample.csv.gz',
          // Sales value is the line amount after discounts; unit price follows from it.
          sql: `SELECT basket_id AS receipt_id, household_id AS member_id, store_id, 'store' AS channel,
                       transaction_timestamp AS ts, product_id, quantity,
                       CASE WHEN TRY_CAST(quantity AS DOUBLE) <> 0
                            THEN round(TRY_CAST(sales_value AS DOUBLE) / TRY_CAST(quantity AS DOUBLE), 4)
                            ELSE TRY_CAST(sales_value AS DOUBLE) END AS unit_price,
                       sales_value AS amount
                FROM ${csv(dir, 'transactions_sample.csv.gz')}`,
        }),
      },
      // Demographics have no home in the members contract; each household with demographics
      // becomes a third-party profile linked to itself, so the enrichment step can report them.
      // Age brackets map to the decade band holding their midpoint (25-34 -> 20s, 65+ -> 60s);
      // the exact bracket and the other columns are kept as attribute "interests" (age:25-34,
      // income:50-74K, home_ownership:Homeowner, ...).
      {
        table: 'tp_profiles',
        source: (dir) => ({
          kind: 'query',
          label: 'demographics.csv.gz (households as third-party profiles)',
          sql: `SELECT 'hh_' || household_id AS tp_id, 'unknown' AS gender,
                       CASE age WHEN '19-24' THEN '20s' WHEN '25-34' THEN '20s' WHEN '35-44' THEN '30s'
                                WHEN '45-54' THEN '40s' WHEN '55-64' THEN '50s' WHEN '65+' THEN '60s'
                                ELSE 'unknown' END AS age_band
                FROM ${csv(dir, 'demographics.csv.gz')} ORDER BY household_id`,
        }),
      },
      {
        table: 'id_links',
        source: (dir) => ({
          kind: 'query',
          label: 'demographics.csv.gz (household links)',
          sql: `SELECT household_id AS member_id, 'hh_' || household_id AS tp_id,
                       'complete-journey demographics' AS source, 1 AS confidence
                FROM ${csv(dir, 'demographics.csv.gz')} ORDER BY household_id`,
        }),
      },
      {
        table: 'tp_interests',
        source: (dir) => ({
          kind: 'query',
          label: 'demographics.csv.gz (household attributes)',
          sql: `SELECT tp_id, category, 1 AS visits FROM (
                  SELECT 'hh_' || household_id AS tp_id,
                         unnest(['age:' || age, 'income:' || income, 'home_ownership:' || home_ownership,
                                 'marital_status:' || marital_status, 'household_size:' || household_size,
                                 'household_comp:' || household_comp, 'kids_count:' || kids_count]) AS category
                  FROM ${csv(dir, 'demographics.csv.gz')})
                WHERE category IS NOT NULL ORDER BY tp_id, category`,
        }),
      },
    ],
  },
};

/** Order that puts masters before the tables that refer to them. */
const TABLE_ORDER: readonly TableName[] = [
  'stores',
  'products',
  'members',
  'tp_profiles',
  'id_links',
  'tp_interests',
  'tp_searches',
  'site_visits',
  'texts',
  'transactions',
  'actions',
];

/**
 * Imports every `<table>.csv` (or .csv.gz, .ndjson, .parquet, .arrow) found in a folder, such as
 * the `tables/` folder the sample generator writes. Tables are imported in dependency order,
 * each in its own transaction; the folder must hold at least one table file.
 */
export async function importTablesDirectory(
  ws: Workspace,
  dir: string,
  options: {
    mode?: ImportMode;
    onProgress?: ImportOptions['onProgress'];
    onTable?: (table: TableName) => void;
  } = {},
): Promise<ImportReport[]> {
  const names = new Set(
    await nodeFiles.list(dir).catch(() => {
      throw new ImportFileError(`folder "${dir}" does not exist or cannot be read`, 'dir');
    }),
  );
  const reports: ImportReport[] = [];
  for (const table of TABLE_ORDER) {
    const file = TABLE_FILE_EXTENSIONS.map((ext) => `${table}${ext}`).find((f) => names.has(f));
    if (!file) continue;
    options.onTable?.(table);
    const importOptions: ImportOptions = {
      table,
      source: { kind: 'file', path: join(dir, file) },
      mode: options.mode ?? 'replace',
    };
    if (options.onProgress) importOptions.onProgress = options.onProgress;
    reports.push(await importTable(ws, importOptions));
  }
  if (!reports.length) {
    throw new ImportFileError(
      `folder "${dir}" holds no table files (expected e.g. members.csv, transactions.csv.gz)`,
      'dir',
    );
  }
  return reports;
}

const TABLE_FILE_EXTENSIONS = [
  '.csv',
  '.csv.gz',
  '.tsv',
  '.ndjson',
  '.ndjson.gz',
  '.jsonl',
  '.parquet',
  '.arrow',
];

/**
 * Imports a known dataset folder table by table. Each table is its own transaction, in the
 * order given, so masters land before the lines that refer to them.
 */
export async function importDataset(
  ws: Workspace,
  presetName: string,
  dir: string,
  options: {
    mode?: ImportMode;
    onProgress?: ImportOptions['onProgress'];
    onTable?: (table: TableName) => void;
  } = {},
): Promise<DatasetImportReport> {
  const preset = DATASET_PRESETS[presetName];
  if (!preset) {
    throw new InvalidInputError(
      `unknown dataset preset "${presetName}"; presets are ${Object.keys(DATASET_PRESETS).join(', ')}`,
      'preset',
    );
  }
  for (const file of preset.files) {
    if (!(await nodeFiles.exists(join(dir, file)))) {
      throw new ImportFileError(
        `dataset folder "${dir}" has no ${file}; the ${preset.name} preset needs ${preset.files.join(', ')}`,
        'dir',
      );
    }
  }
  const reports: ImportReport[] = [];
  for (const step of preset.steps) {
    options.onTable?.(step.table);
    const importOptions: ImportOptions = {
      table: step.table,
      source: step.source(dir),
      mode: options.mode ?? 'replace',
    };
    if (step.mapping) importOptions.mapping = step.mapping;
    if (step.constants) importOptions.constants = step.constants;
    if (options.onProgress) importOptions.onProgress = options.onProgress;
    reports.push(await importTable(ws, importOptions));
  }
  return { preset: preset.name, dir, reports };
}
