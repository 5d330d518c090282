import type { Workspace } from '../store/index.ts';
import { joinPath, type NeedFiles } from './files.ts';
import { hasNeedModel, loadNeedModel } from './model/artifact.ts';
import { NeedClassifier } from './model/classifier.ts';
import { DEFAULT_MODELS_DIR, DEFAULT_THEMES_DIR } from './paths.ts';
import { loadTheme } from './themes/themes.ts';

export interface ClassifierLocation {
  /** Directory of `<theme>/` model artifacts (default `models/needs`). */
  modelsDir?: string;
  /** Directory of theme files (default `data/needs/themes`). */
  themesDir?: string;
}

/** Which model serves a theme: retrained in the workspace, shipped with the project, or none. */
export type ClassifierSource = 'workspace' | 'shipped' | 'dictionary';

export interface ServingLocation {
  /** Where the workspace's retrained models live (`workspaceNeedModelsDir(ws)`); absent: none. */
  workspaceModelsDir?: string;
  /** The shipped models (default `models/needs`). */
  shippedModelsDir?: string;
  themesDir?: string;
}

/**
 * Where models retrained over the API or the CLI are published in a workspace: beside its data,
 * never in the shipped `models/` folder.
 *
 * @example
 * workspaceNeedModelsDir(ws); // '<home>/models/needs'
 */
export function workspaceNeedModelsDir(ws: Pick<Workspace, 'home'>): string {
  return joinPath(ws.home, 'models', 'needs');
}

const cache = new Map<string, Promise<NeedClassifier>>();

/**
 * The classifier of a theme from one models folder: its trained model from `<modelsDir>/<theme>/`
 * when there is one, else the theme's dictionary alone. Loaded once per process and location;
 * concurrent callers share the load.
 *
 * @param files the file port
 * @param theme theme id, e.g. `convection_oven`
 * @param location where models and themes live
 * @throws NotFoundError listing the themes when the theme does not exist
 * @throws InvalidInputError when the theme file or the model artifact is damaged
 * @example
 * const clf = await loadNeedClassifier(nodeNeedFiles, 'convection_oven');
 * clf.version; // 'convection_oven-3f2a...'
 */
export function loadNeedClassifier(
  files: NeedFiles,
  theme: string,
  location: ClassifierLocation = {},
): Promise<NeedClassifier> {
  const modelsDir = location.modelsDir ?? DEFAULT_MODELS_DIR;
  const themesDir = location.themesDir ?? DEFAULT_THEMES_DIR;
  const key = `${modelsDir}\u0000${themesDir}\u0000${theme}`;
  let hit = cache.get(key);
  if (!hit) {
    hit = (async () => {
      const taxonomy = loadTheme(files, theme, themesDir);
      const dir = joinPath(modelsDir, theme);
      if (!hasNeedModel(files, dir)) return NeedClassifier.fromDictionary(taxonomy);
      const { model, manifest } = loadNeedModel(files, dir);
      return NeedClassifier.fromModel(model, manifest.version);
    })();
    hit.catch(() => cache.delete(key));
    cache.set(key, hit);
  }
  return hit;
}

/**
 * The classifier that serves a theme, decided in one place for every caller (classify, need
 * mixes of segments and audiences): the workspace's retrained model when there is one, else the
 * shipped model, else the theme's dictionary.
 *
 * @param files the file port
 * @param theme theme id
 * @param location the workspace's models folder, and overrides of the shipped folders
 * @returns the classifier and where its model came from
 * @throws NotFoundError listing the themes when the theme does not exist
 * @example
 * const { classifier, source } = await servingClassifier(files, 'rice_cooker', { workspaceModelsDir: workspaceNeedModelsDir(ws) });
 * source; // 'workspace' after a retraining, else 'shipped'
 */
export async function servingClassifier(
  files: NeedFiles,
  theme: string,
  location: ServingLocation = {},
): Promise<{ classifier: NeedClassifier; source: ClassifierSource }> {
  const themesDir = location.themesDir ?? DEFAULT_THEMES_DIR;
  const workspace = location.workspaceModelsDir;
  if (workspace && hasNeedModel(files, joinPath(workspace, theme))) {
    const classifier = await loadNeedClassifier(files, theme, { modelsDir: workspace, themesDir });
    return { classifier, source: 'workspace' };
  }
  const classifier = await loadNeedClassifier(files, theme, {
    modelsDir: location.shippedModelsDir ?? DEFAULT_MODELS_DIR,
    themesDir,
  });
  return { classifier, source: classifier.model ? 'shipped' : 'dictionary' };
}

/** Forgets loaded classifiers (after retraining in the same process). */
export function clearClassifierCache(): void {
  cache.clear();
}
