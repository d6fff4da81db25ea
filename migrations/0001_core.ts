// Core tables that do not come from the resource table: the id sequence, the link table of
// multi-references, sessions and attachment bytes. Entity tables themselves are derived from the
// resource descriptors at start-up (src/store/schema-sync.ts).

import { sql, type Kysely } from 'kysely';

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('sequence')
    .addColumn('name', 'text', (c) => c.primaryKey())
    .addColumn('value', 'integer', (c) => c.notNull())
    .execute();
  // Ids start after 1000, as Octane's do: the first shared space is 1001, its workspace 1002.
  await db.insertInto('sequence').values({ name: 'entity', value: 1000 }).execute();

  await sql`CREATE TABLE entity_link (
    field TEXT NOT NULL,
    src_id INTEGER NOT NULL,
    dst_id INTEGER NOT NULL,
    ord INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (field, src_id, dst_id)
  ) WITHOUT ROWID`.execute(db);
  await db.schema.createIndex('entity_link_by_dst').on('entity_link').columns(['field', 'dst_id', 'src_id']).execute();

  await db.schema
    .createTable('session')
    .addColumn('token', 'text', (c) => c.primaryKey())
    .addColumn('user_id', 'integer', (c) => c.notNull())
    .addColumn('principal', 'text', (c) => c.notNull())
    .addColumn('created_at', 'integer', (c) => c.notNull())
    .addColumn('last_seen_at', 'integer', (c) => c.notNull())
    .execute();

  await db.schema
    .createTable('attachment_content')
    .addColumn('id', 'integer', (c) => c.primaryKey())
    .addColumn('bytes', 'blob', (c) => c.notNull())
    .addColumn('sha256', 'text', (c) => c.notNull())
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  for (const t of ['attachment_content', 'session', 'entity_link', 'sequence']) await db.schema.dropTable(t).execute();
}
