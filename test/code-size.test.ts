/**
 * Functions stay short enough to change safely: over {MAX} lines is the exception. The ones
 * still over it are listed with their length; the list only shrinks (a new long function fails,
 * a listed one may not grow, and one that was split must leave the list).
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';

const SRC = join(import.meta.dirname, '..', 'src');
const MAX = 80;

/** `file#function` to its length in lines today: to split, except where a comment says why not. */
const LONG = new Map<string, number>([
  ['lookalike/backtest.ts#runBacktest', 142],
  ['audience/conditions.ts#ladders', 90],
  ['audience/conditions.ts#(anonymous)', 85],
  ['entry/commands/audience.ts#registerAudienceCommands', 402],
  ['lookalike/train.ts#trainLookalike', 318],
  ['entry/commands/needs.ts#registerNeedsCommands', 163],
  ['audience/relax.ts#relaxConditions', 179],
  ['ladders/triggers.ts#mineTriggers', 146],
  ['ingest/ndjson-normalize.ts#normalizeNdjson', 145],
  ['needs/model/train.ts#trainNeedClassifier', 143],
  ['lookalike/seeds.ts#resolveSeed', 132],
  ['ladders/action-log.ts#assemble', 141],
  ['export/releases.ts#buildRelease', 136],
  ['audience/materialise.ts#materialiseRevision', 147],
  ['ingest/import-table.ts#writeImport', 132],
  ['sample/generate.ts#generateSampleWorkspace', 129],
  ['audience/solve.ts#solveTarget', 125],
  ['ladders/thresholds.ts#simulateThresholds', 120],
  ['sample/catalog.ts#buildCatalog', 119],
  ['ladders/cpm.ts#resolveCpmThresholds', 118],
  ['lookalike/tf-train.ts#trainNetwork', 117],
  ['ingest/csv-normalize.ts#normalizeCsv', 108],
  ['needs/livedoor/livedoor.ts#trainLivedoor', 106],
  // the k-means Lloyd iteration: one hot loop over typed arrays, kept in one frame
  ['segment/kmeans-kernels.ts#_lloyd', 106],
  ['audience/overlap.ts#audienceOverlap', 104],
  ['sample/texts.ts#composeText', 100],
  ['export/pull.ts#answerPull', 99],
  ['ingest/byte-source.ts#openTextSource', 98],
  ['sample/community.ts#actor', 91],
  ['ladders/engagement.ts#buildEngagementLadder', 88],
  ['enrich/affinity.ts#affinityFromCounts', 87],
  ['needs/model/evaluate.ts#evaluateDecisions', 86],
  ['features/member-features.ts#computeMemberFeatures', 83],
  ['ingest/columns.ts#planColumns', 83],
  ['lookalike/score.ts#scoreUniverse', 82],
  ['ladders/members.ts#ladderMembers', 81],
]);

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return sourceFiles(path);
    return name.endsWith('.ts') ? [path] : [];
  });
}

function nameOf(node: ts.Node): string {
  const named = (node as { name?: ts.Node }).name;
  if (named) return named.getText();
  const parent = node.parent;
  if (ts.isVariableDeclaration(parent) || ts.isPropertyAssignment(parent)) return parent.name.getText();
  return '(anonymous)';
}

/** Every function, method and arrow function over MAX lines, with its length. */
function longFunctions(): Map<string, number> {
  const found = new Map<string, number>();
  for (const path of sourceFiles(SRC)) {
    const source = ts.createSourceFile(path, readFileSync(path, 'utf8'), ts.ScriptTarget.Latest, true);
    const visit = (node: ts.Node): void => {
      if (
        ts.isFunctionDeclaration(node) ||
        ts.isMethodDeclaration(node) ||
        ts.isArrowFunction(node) ||
        ts.isFunctionExpression(node)
      ) {
        const first = source.getLineAndCharacterOfPosition(node.getStart()).line;
        const last = source.getLineAndCharacterOfPosition(node.getEnd()).line;
        const lines = last - first + 1;
        if (lines > MAX) found.set(`${relative(SRC, path)}#${nameOf(node)}`, lines);
      }
      ts.forEachChild(node, visit);
    };
    visit(source);
  }
  return found;
}

describe('function length', () => {
  const found = longFunctions();

  it(`no new function over ${MAX} lines, and no listed one grows`, () => {
    const grown = [...found]
      .filter(([key, lines]) => lines > (LONG.get(key) ?? MAX))
      .map(([key, lines]) => `${key}: ${lines} lines (allowed ${LONG.get(key) ?? MAX})`);
    expect(grown).toEqual([]);
  });

  it('the list of long functions only shrinks: one that was split leaves it', () => {
    expect([...LONG.keys()].filter((key) => !found.has(key))).toEqual([]);
  });
});
