#!/usr/bin/env node
// `node scripts/api-report.mjs` (after a build): the public API, every subpath of package.json's
// `exports` with each exported name and what it is, as Markdown on stdout. docs/api.md holds the
// committed report (`npm run api-report` rewrites it) and a test fails when the built API differs
// from it, so a change to the API is seen in review.
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';

const root = path.join(path.dirname(fileURLToPath(import.meta.url)), '..');
const pkg = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8'));
const entries = Object.entries(pkg.exports).filter(([, v]) => typeof v === 'object' && v.types);
const files = entries.map(([, v]) => path.join(root, v.types));
const program = ts.createProgram(files, { allowJs: false, noEmit: true, module: ts.ModuleKind.NodeNext, moduleResolution: ts.ModuleResolutionKind.NodeNext });
const checker = program.getTypeChecker();

/** Case-insensitive, then by code point: the same order on every machine (no locale). */
const byName = (a, b) => {
  const [x, y] = [a.toLowerCase(), b.toLowerCase()];
  return x < y ? -1 : x > y ? 1 : a < b ? -1 : a > b ? 1 : 0;
};

function kindOf(symbol) {
  const s = symbol.flags & ts.SymbolFlags.Alias ? checker.getAliasedSymbol(symbol) : symbol;
  const f = s.flags;
  if (f & ts.SymbolFlags.Class) return 'class';
  if (f & ts.SymbolFlags.Function) return 'function';
  if (f & ts.SymbolFlags.Variable) return 'const';
  if (f & ts.SymbolFlags.Interface) return 'interface';
  if (f & ts.SymbolFlags.TypeAlias) return 'type';
  if (f & ts.SymbolFlags.Enum) return 'enum';
  return 'other';
}

const out = [
  '# Public API',
  '',
  "What `import … from 'active-sl'` and its subpaths give, generated from the built type declarations",
  'by `npm run api-report` (a test fails when the build and this page differ). What each subpath is',
  'for is said at the top of its entry file, `src/<folder>/index.ts`.',
];
for (const [subpath, v] of entries) {
  const file = path.join(root, v.types);
  const source = program.getSourceFile(file);
  if (!source) throw new Error(`no declarations at ${file}: build first`);
  const moduleSymbol = checker.getSymbolAtLocation(source);
  const names = checker
    .getExportsOfModule(moduleSymbol)
    .map((s) => [s.getName(), kindOf(s)])
    .sort((a, b) => byName(a[0], b[0]));
  const spec = subpath === '.' ? 'active-sl' : `active-sl/${subpath.slice(2)}`;
  out.push('', `## \`${spec}\``, '', ...names.map(([n, k]) => `- \`${n}\` (${k})`));
}
process.stdout.write(`${out.join('\n')}\n`);
