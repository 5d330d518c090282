import { z } from 'zod';
import {
  type ClassifierSource,
  hasCorpus,
  listThemes,
  loadTheme,
  servingClassifier,
} from '../../needs/index.ts';
import { defineOp } from '../operation.ts';
import { needFilesOf } from './context.ts';

export interface ThemeSummary {
  theme: string;
  name_ja: string;
  name_en: string;
  needs: { id: string; name_ja: string; name_en: string }[];
  model: { version: string; source: ClassifierSource };
  trainable: boolean;
}

export const needThemesOp = defineOp({
  name: 'needs.themes',
  summary: 'Need themes, their needs, and which classifier serves each',
  input: z.object({}).strict(),
  roles: ['marketer', 'data_scientist'],
  long: false,
  run: async (ctx): Promise<{ themes: ThemeSummary[] }> => {
    const files = needFilesOf(ctx);
    const themes: ThemeSummary[] = [];
    for (const id of listThemes(files)) {
      const t = loadTheme(files, id);
      const { classifier, source } = await servingClassifier(files, id, {
        workspaceModelsDir: ctx.needModelsDir,
      });
      themes.push({
        theme: id,
        name_ja: t.name_ja,
        name_en: t.name_en,
        needs: t.needs.map((n) => ({ id: n.id, name_ja: n.name_ja, name_en: n.name_en })),
        model: { version: classifier.version, source },
        trainable: hasCorpus(files, id),
      });
    }
    return { themes };
  },
});
