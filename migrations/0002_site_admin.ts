// Site administrators: users who may manage every shared space (create spaces, see all of them).
// Octane keeps them outside any shared space; here they are user ids in their own table.

import type { Kysely } from 'kysely';

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('site_admin')
    .addColumn('user_id', 'integer', (c) => c.primaryKey())
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('site_admin').execute();
}
