import fs from 'node:fs';
import { describe, expect, it } from 'vitest';
import { eventsDoc, EVENTS_DOC } from '../src/app/events-doc';
import { createSchema, printSchemaFile, SCHEMA_FILE } from '../src/app/schema';

describe('generated API files', () => {
  it('schema.graphql matches what the code emits (run `npm run schema` after changing the API)', async () => {
    const emitted = printSchemaFile(await createSchema());
    expect(fs.readFileSync(SCHEMA_FILE, 'utf8')).toBe(emitted);
  });

  it('docs/events.md documents every catalogued event and field (run `npm run schema`)', () => {
    expect(fs.readFileSync(EVENTS_DOC, 'utf8')).toBe(eventsDoc());
  });
});
