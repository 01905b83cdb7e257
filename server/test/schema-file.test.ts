import fs from 'node:fs';
import { describe, expect, it } from 'vitest';
import { createSchema, printSchemaFile, SCHEMA_FILE } from '../src/app/schema';

describe('schema.graphql', () => {
  it('matches what the code emits (run `npm run schema` after changing the API)', async () => {
    const emitted = printSchemaFile(await createSchema());
    expect(fs.readFileSync(SCHEMA_FILE, 'utf8')).toBe(emitted);
  });
});
