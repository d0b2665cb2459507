// The ceiling of bench/compare.ts: a bare fastify server on the same Node, HTTP stack and pg pool
// size (10) as Cairn, whose message send route does one PostgreSQL INSERT and nothing else. What
// a homeserver's send path could reach on this machine if events cost nothing to build, authorise
// and fan out. Registration, room creation and joins answer with made-up ids and store nothing,
// only so the bench's client code runs unchanged; only the send route is measured.
//   node bench/compare-ceiling.ts <database url>   -> prints {"port": n} once listening
import { randomBytes } from 'node:crypto';
import Fastify from 'fastify';
import pg from 'pg';

const databaseUrl = process.argv[2];
if (!databaseUrl) throw new Error('usage: compare-ceiling.ts <database url>');

const pool = new pg.Pool({ connectionString: databaseUrl, max: 10 });
await pool.query(
  'CREATE TABLE IF NOT EXISTS ceiling_events (id bigserial PRIMARY KEY, room_id text NOT NULL,' +
    ' txn_id text NOT NULL, access_token text NOT NULL, content jsonb NOT NULL)',
);

const app = Fastify({ logger: false });
let counter = 0;
const made = (sigil: string) => `${sigil}${randomBytes(9).toString('base64url')}:ceiling`;

app.post('/_matrix/client/v3/register', async () => ({
  user_id: made('@'),
  access_token: randomBytes(16).toString('hex'),
  device_id: `D${counter++}`,
}));
app.post('/_matrix/client/v3/createRoom', async () => ({ room_id: made('!') }));
app.post('/_matrix/client/v3/join/:roomId', async (request) => ({
  room_id: (request.params as { roomId: string }).roomId,
}));

app.put('/_matrix/client/v3/rooms/:roomId/send/:type/:txnId', async (request) => {
  const { roomId, txnId } = request.params as { roomId: string; txnId: string };
  const token = String(request.headers.authorization ?? '').replace(/^Bearer /, '');
  const inserted = await pool.query(
    'INSERT INTO ceiling_events (room_id, txn_id, access_token, content) VALUES ($1, $2, $3, $4)' +
      ' RETURNING id',
    [roomId, txnId, token, JSON.stringify(request.body)],
  );
  return { event_id: `$${inserted.rows[0].id}` };
});

await app.listen({ host: '127.0.0.1', port: 0 });
const address = app.server.address();
process.stdout.write(
  `${JSON.stringify({ port: typeof address === 'object' ? address?.port : 0 })}\n`,
);
process.once('SIGTERM', async () => {
  await app.close();
  await pool.end();
  process.exit(0);
});
