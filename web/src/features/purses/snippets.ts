import csharp from '../../../../docs/snippets/purse.cs?raw';
import node from '../../../../docs/snippets/purse.mjs?raw';
import php from '../../../../docs/snippets/purse.php?raw';
import perl from '../../../../docs/snippets/purse.pl?raw';
import python from '../../../../docs/snippets/purse.py?raw';

/**
 * Ready integration code for one purse (seed 001): the signed payment form and the Result URL handler that checks
 * `s_sign_v2`, fulfils each `s_inv` once and answers 2xx. The code is the files in docs/snippets, which the server
 * tests run against a live Tollgate (all but C#), filled here with the purse's number and form URL. The secret stays
 * a placeholder: the merchant pastes it in; it is never shown in code on screen.
 */
export interface SnippetPurse {
  number: number;
  formUrl: string;
}

export type SnippetLanguage = 'php' | 'python' | 'node' | 'perl' | 'csharp';

export const SNIPPET_LANGUAGES: { id: SnippetLanguage; label: string; file: string; resultPath: string }[] = [
  { id: 'php', label: 'PHP', file: 'purse.php', resultPath: '/result' },
  { id: 'python', label: 'Python', file: 'purse.py', resultPath: '/result' },
  { id: 'node', label: 'Node.js', file: 'purse.mjs', resultPath: '/result' },
  { id: 'perl', label: 'Perl', file: 'purse.pl', resultPath: '/cgi-bin/purse.pl/result' },
  { id: 'csharp', label: 'ASP.NET (C#)', file: 'Program.cs', resultPath: '/result' },
];

const SOURCES: Record<SnippetLanguage, string> = { php, python, node, perl, csharp };

/** The placeholders the files carry, as the tests leave them for environment variables to override. */
const PURSE_PLACEHOLDER = 'YOUR_PURSE_NUMBER';
const FORM_URL_PLACEHOLDER = 'https://tollgate.example/bank/';

export function snippet(language: SnippetLanguage, purse: SnippetPurse): string {
  return SOURCES[language]
    .replaceAll(PURSE_PLACEHOLDER, String(purse.number))
    .replaceAll(FORM_URL_PLACEHOLDER, purse.formUrl);
}
