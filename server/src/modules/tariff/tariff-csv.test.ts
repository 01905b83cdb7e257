import { describe, expect, it } from 'vitest';
import { CsvSyntaxError, formatCsv, parseCsv } from './tariff-csv';

describe('tariff CSV text (RFC 4180)', () => {
  it('reads quoted fields with commas, doubled quotes and line breaks, numbering records by their first line', () => {
    const text = '\ufeffa,b,c\r\n"x, y","say ""hi""",""\r\n\r\n"two\r\nlines",2,3\n4,5,6';
    expect(parseCsv(text)).toEqual([
      { line: 1, fields: ['a', 'b', 'c'] },
      { line: 2, fields: ['x, y', 'say "hi"', ''] },
      { line: 4, fields: ['two\r\nlines', '2', '3'] },
      { line: 6, fields: ['4', '5', '6'] },
    ]);
  });

  it('writes what it reads back, quoting only where needed', () => {
    const rows = [
      ['plain', 'with, comma', 'with "quote"', 'two\nlines', ''],
      ['1', '2', '3', '4', '5'],
    ];
    const text = formatCsv(rows);
    expect(text).toBe('plain,"with, comma","with ""quote""","two\nlines",\r\n1,2,3,4,5\r\n');
    expect(parseCsv(text).map((record) => record.fields)).toEqual(rows);
  });

  it.each([
    ['a,b\n"open,c\nd', 2, /never closed/],
    ['a,b\nx"y,c', 2, /quote inside an unquoted field/],
    ['a,b\n\n"x"y,c', 3, /text follows a closing quote/],
  ])('refuses malformed quoting in %j at line %i', (text, line, message) => {
    let error: unknown;
    try {
      parseCsv(text);
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(CsvSyntaxError);
    expect((error as CsvSyntaxError).line).toBe(line);
    expect((error as CsvSyntaxError).message).toMatch(message);
  });
});
