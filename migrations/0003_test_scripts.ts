// Scripts of manual and Gherkin tests are not fields: they live beside the test, one row per
// version, served at tests/{id}/script.

import type { Kysely } from 'kysely';

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('test_script')
    .addColumn('test_id', 'integer', (c) => c.notNull())
    .addColumn('version', 'integer', (c) => c.notNull())
    .addColumn('script', 'text', (c) => c.notNull())
    .addColumn('revision_type', 'text')
    .addColumn('comment', 'text')
    .addColumn('author_id', 'integer')
    .addColumn('creation_time', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('test_script_pk', ['test_id', 'version'])
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('test_script').execute();
}
