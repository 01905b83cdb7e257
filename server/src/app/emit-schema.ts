import 'reflect-metadata';
import { createSchema, SCHEMA_FILE, writeSchemaFile } from './schema';

void createSchema().then((schema) => {
  writeSchemaFile(schema);
  console.log(`wrote ${SCHEMA_FILE}`);
});
