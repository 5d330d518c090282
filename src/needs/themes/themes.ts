import { z } from 'zod';
import { InvalidInputError, NotFoundError } from '../../schema/index.ts';
import { joinPath, type NeedFiles } from '../files.ts';
import { DEFAULT_THEMES_DIR } from '../paths.ts';

const ID = /^[a-z][a-z0-9_]*$/;

const NeedSchema = z.object({
  id: z.string().regex(ID, 'need ids are snake_case'),
  name_ja: z.string().min(1),
  name_en: z.string().min(1),
  keywords: z.array(z.string().min(1)),
  variants: z.array(z.string().min(1)),
});

const ThemeSchema = z.object({
  theme: z.string().regex(ID, 'theme ids are snake_case'),
  name_ja: z.string().min(1),
  name_en: z.string().min(1),
  needs: z.array(NeedSchema).min(1),
});

export type NeedDefinition = z.infer<typeof NeedSchema>;

/** A need taxonomy: the needs of one product theme, with seed keywords and surface variants. */
export interface Theme extends z.infer<typeof ThemeSchema> {
  /** sha256 of the theme file, so an artifact can tell which taxonomy it was trained with. */
  fingerprint: string;
}

/**
 * Parses and checks a theme document.
 *
 * @param json the parsed JSON
 * @param source where it came from, for messages
 * @throws InvalidInputError naming the file and the first problems
 * @example
 * parseTheme(JSON.parse(text), 'convection_oven.json');
 */
export function parseTheme(json: unknown, source: string, fingerprint = ''): Theme {
  const parsed = ThemeSchema.safeParse(json);
  if (!parsed.success) {
    const issues = parsed.error.issues
      .slice(0, 3)
      .map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`)
      .join('; ');
    throw new InvalidInputError(`theme file ${source} is not valid: ${issues}`, 'theme');
  }
  const ids = parsed.data.needs.map((n) => n.id);
  const dup = ids.find((id, i) => ids.indexOf(id) !== i);
  if (dup) throw new InvalidInputError(`theme file ${source} lists need "${dup}" twice`, 'theme');
  return { ...parsed.data, fingerprint };
}

function readTheme(files: NeedFiles, path: string, file: string): Theme {
  const bytes = files.read(path);
  if (bytes === null) throw new NotFoundError('need theme', file.replace(/\.json$/, ''), `expected ${path}`);
  let json: unknown;
  try {
    json = JSON.parse(new TextDecoder().decode(bytes));
  } catch (err) {
    throw new InvalidInputError(`theme file ${file} is not valid JSON: ${(err as Error).message}`, 'theme');
  }
  const theme = parseTheme(json, file, files.sha256(bytes));
  const expected = file.replace(/\.json$/, '');
  if (theme.theme !== expected) {
    throw new InvalidInputError(
      `theme file ${file} declares theme "${theme.theme}"; name it ${theme.theme}.json`,
      'theme',
    );
  }
  return theme;
}

/**
 * The ids of every theme in a themes directory (every `<theme>.json`), sorted.
 *
 * @param files the file port
 * @param dir themes directory (default `data/needs/themes`)
 * @example
 * listThemes(nodeNeedFiles); // ['convection_oven', 'frozen_food', 'rice_cooker']
 */
export function listThemes(files: NeedFiles, dir = DEFAULT_THEMES_DIR): string[] {
  return files
    .list(dir)
    .filter((f) => f.endsWith('.json'))
    .map((f) => f.slice(0, -5))
    .sort();
}

/**
 * Loads one theme's taxonomy.
 *
 * @param files the file port
 * @param id theme id, e.g. `convection_oven`
 * @param dir themes directory (default `data/needs/themes`)
 * @throws NotFoundError listing the themes that exist
 * @throws InvalidInputError when the file is malformed
 * @example
 * loadTheme(nodeNeedFiles, 'convection_oven').needs.map((n) => n.id); // ['time_saving', 'healthy', ...]
 */
export function loadTheme(files: NeedFiles, id: string, dir = DEFAULT_THEMES_DIR): Theme {
  const themes = listThemes(files, dir);
  if (!themes.includes(id)) {
    throw new NotFoundError(
      'need theme',
      id,
      themes.length ? `themes are: ${themes.join(', ')}` : `no theme files in ${dir}`,
    );
  }
  return readTheme(files, joinPath(dir, `${id}.json`), `${id}.json`);
}
