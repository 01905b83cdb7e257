import 'reflect-metadata';
import { EVENTS_DOC, writeEventsDoc } from './events-doc';
import { createSchema, SCHEMA_FILE, writeSchemaFile } from './schema';

void createSchema().then((schema) => {
  writeSchemaFile(schema);
  console.log(`wrote ${SCHEMA_FILE}`);
  writeEventsDoc();
  console.log(`wrote ${EVENTS_DOC}`);
});
