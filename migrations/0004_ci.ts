// CI data that is not an entity: test-results tasks (their payload, state and outcome, so that an
// accepted push survives a restart and a repeated push is recognised) and build artifacts
// (coverage reports and logs).

import type { Kysely } from 'kysely';

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('test_result_task')
    .addColumn('id', 'integer', (c) => c.primaryKey())
    .addColumn('shared_space_id', 'integer', (c) => c.notNull())
    .addColumn('workspace_id', 'integer')
    .addColumn('hash', 'text', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('skip_errors', 'integer', (c) => c.notNull())
    .addColumn('context', 'text')
    .addColumn('payload', 'blob', (c) => c.notNull())
    .addColumn('user_id', 'integer')
    .addColumn('received_at', 'text', (c) => c.notNull())
    .addColumn('started_at', 'text')
    .addColumn('finished_at', 'text')
    .addColumn('result', 'text')
    .addColumn('log', 'text')
    .execute();
  await db.schema.createIndex('test_result_task_hash').on('test_result_task').columns(['shared_space_id', 'workspace_id', 'hash']).execute();
  await db.schema.createIndex('test_result_task_status').on('test_result_task').columns(['status']).execute();

  await db.schema
    .createTable('ci_artifact')
    .addColumn('id', 'integer', (c) => c.primaryKey())
    .addColumn('shared_space_id', 'integer', (c) => c.notNull())
    .addColumn('workspace_id', 'integer', (c) => c.notNull())
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('build_id', 'integer', (c) => c.notNull())
    .addColumn('file_type', 'text')
    .addColumn('name', 'text')
    .addColumn('summary', 'text')
    .addColumn('content', 'blob', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('ci_artifact_build').on('ci_artifact').columns(['workspace_id', 'kind', 'build_id']).execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('ci_artifact').execute();
  await db.schema.dropTable('test_result_task').execute();
}
