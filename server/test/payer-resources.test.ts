import path from 'node:path';
import { describe, expect, it } from 'vitest';

/*
 * The payer pages' five languages (web/src/i18n/resources) key for key: no language may silently miss a key, keep
 * one English has dropped, lose a {{value}}, or lack a plural form its language needs. The web has no test runner
 * of its own; its resources are plain TypeScript data, so this suite reads them.
 */

const RESOURCES = path.resolve(__dirname, '../../web/src/i18n/resources');
const LANGUAGES = ['ru', 'bg', 'ja', 'hi'] as const;
const PLURAL = /_(zero|one|two|few|many|other)$/;

type Tree = { [key: string]: string | Tree };

async function load(language: string): Promise<Tree> {
  // A computed path: the server's tsc does not compile the web's files.
  const module = (await import(path.join(RESOURCES, `${language}.ts`))) as Record<string, Tree>;
  return module[language];
}

/** Every leaf as "section.key" → text. */
function flatten(tree: Tree, prefix = ''): Map<string, string> {
  const leaves = new Map<string, string>();
  for (const [key, value] of Object.entries(tree)) {
    const name = prefix ? `${prefix}.${key}` : key;
    if (typeof value === 'string') leaves.set(name, value);
    else for (const [leaf, text] of flatten(value, name)) leaves.set(leaf, text);
  }
  return leaves;
}

/** Keys with plural suffixes folded to their base: "smsLines.sendCount_few" → "smsLines.sendCount". */
function bases(leaves: Map<string, string>): { plain: Set<string>; plural: Map<string, Set<string>> } {
  const plain = new Set<string>();
  const plural = new Map<string, Set<string>>();
  for (const key of leaves.keys()) {
    const match = PLURAL.exec(key);
    if (!match) plain.add(key);
    else {
      const base = key.slice(0, -match[0].length);
      plural.set(base, (plural.get(base) ?? new Set()).add(match[1]));
    }
  }
  return { plain, plural };
}

const placeholders = (text: string) => [...text.matchAll(/\{\{(\w+)\}\}/g)].map((match) => match[1]).sort();

describe('payer page resources', () => {
  it.each(LANGUAGES)('%s has every English key, no other, each with its values and its plural forms', async (lang) => {
    const english = flatten(await load('en'));
    const other = flatten(await load(lang));
    const en = bases(english);
    const them = bases(other);
    expect(english.size).toBeGreaterThan(100);

    expect(
      [...en.plain].filter((key) => !them.plain.has(key)),
      'missing keys',
    ).toEqual([]);
    expect(
      [...them.plain].filter((key) => !en.plain.has(key)),
      'keys English does not have',
    ).toEqual([]);

    // Plural keys: exactly the forms this language's rules use (what i18next picks from with Intl.PluralRules).
    const categories = new Intl.PluralRules(lang).resolvedOptions().pluralCategories.slice().sort();
    expect([...them.plural.keys()].sort()).toEqual([...en.plural.keys()].sort());
    for (const [base, forms] of them.plural) expect([...forms].sort(), base).toEqual(categories);

    for (const [key, text] of other) {
      expect(text.trim(), key).not.toBe('');
      const source = english.get(key) ?? english.get(key.replace(PLURAL, '_other'))!;
      // A plural form may leave the count out ("1 SMS" said in words), never add one English lacks.
      const expected = placeholders(source).filter((name) => !(PLURAL.test(key) && name === 'count'));
      const found = placeholders(text).filter((name) => !(PLURAL.test(key) && name === 'count'));
      expect(found, key).toEqual(expected);
    }
  });

  it.each(['ja', 'hi'] as const)('%s keeps no English words but brand names, codes and units', async (lang) => {
    // What a payer sees as is in every language: the brand, SMS, PIN, CVC, the card's MM/YY, ID.
    const allowed = /Tollgate|SMS|PIN|CVC|MM\/YY|ID|NUL|\{\{\w+\}\}|e\.g\./g;
    const english: string[] = [];
    for (const [key, text] of flatten(await load(lang))) {
      if (key === 'common.brand') continue;
      const words = text.replace(allowed, '').match(/[A-Za-z]{2,}/g);
      if (words) english.push(`${key}: ${words.join(' ')}`);
    }
    expect(english).toEqual([]);
  });
});
