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
  // the k-means Lloyd iteration: one hot loop over typed arrays, kept in one frame
  ['segment/kmeans-kernels.ts#_lloyd', 106],
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
