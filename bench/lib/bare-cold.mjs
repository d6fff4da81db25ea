// Cold start of the bare baseline: Fastify + better-sqlite3 opening a fresh database file, one
// table, listening on loopback; prints its URL like the emulator's banner does.
import Database from 'better-sqlite3';
import Fastify from 'fastify';

const db = new Database(process.argv[2]);
db.pragma('journal_mode = WAL');
db.exec('create table if not exists t (id integer primary key, name text)');
db.prepare('insert into t (name) values (?)').run('x');
const stmt = db.prepare('select * from t limit 1');
const app = Fastify();
app.get('/q', async () => stmt.all());
const url = await app.listen({ port: 0, host: '127.0.0.1' });
process.stdout.write(`  URL:           ${url}\n`);
process.on('SIGTERM', () => app.close().then(() => process.exit(0)));
