import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { loadNeedModel } from './artifact.ts';
import { NeedClassifier } from './classifier.ts';
import { DEFAULT_MODELS_DIR, DEFAULT_THEMES_DIR } from './paths.ts';
import { loadTheme } from './themes.ts';

export interface ClassifierLocation {
  /** Directory of `<theme>/` model artifacts (default `models/needs`). */
  modelsDir?: string;
  /** Directory of theme files (default `data/needs/themes`). */
  themesDir?: string;
}

const cache = new Map<string, Promise<NeedClassifier>>();

/**
 * The classifier of a theme: its trained model from `models/needs/<theme>/` when there is one,
 * else the theme's dictionary alone. Loaded once per process and location; concurrent callers
 * share the load.
 *
 * @param theme theme id, e.g. `convection_oven`
 * @param location where models and themes live
 * @throws NotFoundError listing the themes when the theme does not exist
 * @throws InvalidInputError when the theme file or the model artifact is damaged
 * @example
 * const clf = await loadNeedClassifier('convection_oven');
 * clf.version; // 'convection_oven-3f2a...'
 */
export function loadNeedClassifier(
  theme: string,
  location: ClassifierLocation = {},
): Promise<NeedClassifier> {
  const modelsDir = location.modelsDir ?? DEFAULT_MODELS_DIR;
  const themesDir = location.themesDir ?? DEFAULT_THEMES_DIR;
  const key = `${modelsDir}\u0000${themesDir}\u0000${theme}`;
  let hit = cache.get(key);
  if (!hit) {
    hit = (async () => {
      const taxonomy = loadTheme(theme, themesDir);
      const dir = join(modelsDir, theme);
      if (!existsSync(join(dir, 'manifest.json'))) return NeedClassifier.fromDictionary(taxonomy);
      const { model, manifest } = await loadNeedModel(dir);
      return NeedClassifier.fromModel(model, manifest.version);
    })();
    hit.catch(() => cache.delete(key));
    cache.set(key, hit);
  }
  return hit;
}

/** Forgets loaded classifiers (after retraining in the same process). */
export function clearClassifierCache(): void {
  cache.clear();
}
