// Slow clients against a real `cairn start` process: connections that send their headers a byte
// every two seconds (slowloris), connections that send a body a byte a second, and bodies over
// the limits, on both listeners. Meanwhile a normal client must be served as usual; the slow ones
// must be dropped within header_timeout_seconds, or request_body_timeout_seconds of too little
// progress; and what is slow but legitimate must get through: a media upload on a slow link that
// lasts several body periods, and a long-polling /sync that waits longer than every limit.
// The limits are short here (a few seconds) to keep the file quick; test:soak runs the defaults.
import assert from 'node:assert/strict';
import { connect as netConnect, type Socket } from 'node:net';
import { describe, test } from 'node:test';
import { connect as tlsConnect } from 'node:tls';
import { newDataDir, startCairn, testEnv } from '../support/cairn-process.ts';
import { soakScale } from '../support/soak.ts';
import { enc, percentile, processClient, rssMiB } from './process-client.ts';

const HEADER_S = soakScale(4, 20);
const BODY_S = soakScale(3, 30);
/** Node checks header deadlines this often (server/app.ts): a drop may come that much later. */
const CHECK_S = Math.min(5, HEADER_S);
const SLOW_HEADERS = soakScale(200, 1_000);
const SLOW_BODIES = soakScale(100, 500);
const MAX_BODY = 1024 * 1024;
const MAX_UPLOAD = 4 * 1024 * 1024;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

interface RawConnection {
  readonly socket: Socket;
  /** Resolves with what the server sent and when (ms after opening) the connection closed. */
  readonly closed: Promise<{ reply: string; afterMs: number }>;
}

function openRaw(url: string): RawConnection {
  const { hostname, port, protocol } = new URL(url);
  const socket =
    protocol === 'https:'
      ? tlsConnect({ host: hostname, port: Number(port), rejectUnauthorized: false })
      : netConnect({ host: hostname, port: Number(port) });
  const opened = performance.now();
  let reply = '';
  socket.setEncoding('latin1');
  socket.on('data', (chunk: string) => {
    reply += chunk;
  });
  socket.on('error', () => {});
  const closed = new Promise<{ reply: string; afterMs: number }>((resolve) =>
    socket.once('close', () => resolve({ reply, afterMs: performance.now() - opened })),
  );
  return { socket, closed };
}

/** Writes `text` a byte at a time every `everyMs` until the connection closes or it is done. */
async function trickle(connection: RawConnection, text: string, everyMs: number): Promise<void> {
  for (const byte of text) {
    if (connection.socket.destroyed || !connection.socket.writable) return;
    connection.socket.write(byte);
    await sleep(everyMs);
  }
}

/** Sends `head`, then `chunk` repeatedly until the server answers; returns its status line,
 * how many body bytes went out before the answer, and the answer's text. */
async function pushUntilAnswered(
  url: string,
  head: string,
  chunked: boolean,
  limitBytes: number,
): Promise<{ status: string; sent: number; reply: string; ms: number }> {
  const connection = openRaw(url);
  const started = performance.now();
  let answered = false;
  connection.socket.once('data', () => {
    answered = true;
  });
  connection.socket.write(head);
  // A declared length over the limit can be refused from the headers alone: give the answer a
  // moment before any body goes out, so the server closes with nothing unread (else its close
  // may reset the connection and drop the answer before it is read, on TLS especially).
  for (let i = 0; i < 10 && !answered; i++) await sleep(30);
  const chunk = Buffer.alloc(64 * 1024, 'a');
  let sent = 0;
  // Paced, as a client on a fast link would send, and read while writing: a server that
  // answers early and closes with unread bytes pending resets the connection, and a reset
  // discards what the client has not yet read.
  while (!answered && !connection.socket.destroyed && sent < limitBytes * 8) {
    if (chunked) connection.socket.write(`${chunk.length.toString(16)}\r\n`);
    connection.socket.write(chunk);
    if (chunked) connection.socket.write('\r\n');
    sent += chunk.length;
    await sleep(5);
  }
  for (let i = 0; i < 50 && !answered; i++) await sleep(100);
  const ms = performance.now() - started;
  connection.socket.destroy();
  const { reply } = await connection.closed;
  return { status: reply.split('\r\n')[0] ?? '', sent, reply, ms };
}

describe('slow clients', { timeout: 180_000 }, () => {
  test('slowloris headers and bodies are dropped; normal, slow-but-moving and long-poll requests are served', async (t) => {
    const server = await startCairn(
      testEnv(newDataDir(), {
        CAIRN_ENABLE_REGISTRATION: 'true',
        CAIRN_MAX_REQUEST_BODY_BYTES: String(MAX_BODY),
        CAIRN_MAX_UPLOAD_SIZE: String(MAX_UPLOAD),
        ...(HEADER_S === 20 ? {} : { CAIRN_HEADER_TIMEOUT_SECONDS: String(HEADER_S) }),
        ...(BODY_S === 30 ? {} : { CAIRN_REQUEST_BODY_TIMEOUT_SECONDS: String(BODY_S) }),
      }),
    );
    t.after(() => server.stop());
    const client = processClient(server.clientUrl, 8);
    t.after(() => client.close());
    const alice = await client.register('alice');
    const room = await client.call('POST', '/_matrix/client/v3/createRoom', {
      token: alice.accessToken,
      body: {},
    });
    const roomId = room.body.room_id as string;
    const rssBefore = await rssMiB(server.child.pid!);

    // The attackers. Headers: a request line, then a header a byte every 2 s, never finished.
    const slowHeaders = Array.from({ length: SLOW_HEADERS }, (_, i) => {
      const connection = openRaw(i % 2 ? server.federationUrl : server.clientUrl);
      void trickle(
        connection,
        `GET /_matrix/client/versions HTTP/1.1\r\nHost: x\r\nX-Slow: ${'a'.repeat(1000)}`,
        2_000,
      );
      return connection;
    });
    // Bodies: complete headers announcing 10 KB of JSON, then a byte a second.
    const slowBodies = Array.from({ length: SLOW_BODIES }, (_, i) => {
      const connection = openRaw(server.clientUrl);
      connection.socket.write(
        `PUT /_matrix/client/v3/rooms/${enc(roomId)}/send/m.room.message/slow${i} HTTP/1.1\r\n` +
          `Host: x\r\nAuthorization: Bearer ${alice.accessToken}\r\n` +
          'Content-Type: application/json\r\nContent-Length: 10000\r\n\r\n',
      );
      void trickle(connection, `{"body": "${'x'.repeat(9980)}"}`, 1_000);
      return connection;
    });

    // The legitimate slow ones. An upload at 16 KiB/s for four body periods and more.
    const uploadSeconds = BODY_S * 4;
    const upload = (async () => {
      const connection = openRaw(server.clientUrl);
      const size = 16 * 1024 * uploadSeconds;
      connection.socket.write(
        'POST /_matrix/media/v3/upload?filename=slow.bin HTTP/1.1\r\n' +
          `Host: x\r\nAuthorization: Bearer ${alice.accessToken}\r\n` +
          `Content-Type: application/octet-stream\r\nContent-Length: ${size}\r\nConnection: close\r\n\r\n`,
      );
      for (let sent = 0; sent < size && !connection.socket.destroyed; sent += 4096) {
        connection.socket.write(Buffer.alloc(Math.min(4096, size - sent), 7));
        await sleep(250);
      }
      return connection.closed;
    })();
    // A long poll that outlasts every limit.
    const longPollMs = (HEADER_S + CHECK_S + BODY_S) * 2 * 1000;
    const loner = await client.register('loner');
    const longPoll = (async () => {
      const first = await client.call('GET', '/_matrix/client/v3/sync', {
        token: loner.accessToken,
      });
      return client.call(
        'GET',
        `/_matrix/client/v3/sync?timeout=${longPollMs}&since=${enc(first.body.next_batch as string)}`,
        { token: loner.accessToken, timeoutMs: longPollMs + 30_000 },
      );
    })();

    // The normal client, all along.
    const normalMs: number[] = [];
    let normalErrors = 0;
    const until = performance.now() + Math.max(HEADER_S + CHECK_S, BODY_S * 2) * 1000 + 3_000;
    for (let n = 0; performance.now() < until; n++) {
      const replies = await Promise.all([
        client.call('GET', '/_matrix/client/versions'),
        client.call('PUT', `/_matrix/client/v3/rooms/${enc(roomId)}/send/m.room.message/n${n}`, {
          token: alice.accessToken,
          body: { msgtype: 'm.text', body: `n${n}` },
        }),
      ]);
      for (const reply of replies) {
        if (reply.status !== 200) normalErrors++;
        normalMs.push(reply.ms);
      }
      await sleep(200);
    }

    const headerDrops = await Promise.all(slowHeaders.map((each) => each.closed));
    const bodyDrops = await Promise.all(slowBodies.map((each) => each.closed));
    const uploaded = await upload;
    const polled = await longPoll;
    const rssAfter = await rssMiB(server.child.pid!);

    // Over the limits, answered before the body is read in full.
    const tooBig = async (
      url: string,
      method: string,
      path: string,
      headers: string,
      limit: number,
    ) => {
      const base = `${method} ${path} HTTP/1.1\r\nHost: x\r\n${headers}`;
      return {
        declared: await pushUntilAnswered(
          url,
          `${base}Content-Length: ${limit * 50}\r\n\r\n`,
          false,
          limit,
        ),
        chunked: await pushUntilAnswered(
          url,
          `${base}Transfer-Encoding: chunked\r\n\r\n`,
          true,
          limit,
        ),
      };
    };
    const jsonHeaders = `Authorization: Bearer ${alice.accessToken}\r\nContent-Type: application/json\r\n`;
    const clientJson = await tooBig(
      server.clientUrl,
      'PUT',
      `/_matrix/client/v3/rooms/${enc(roomId)}/send/m.room.message/big`,
      jsonHeaders,
      MAX_BODY,
    );
    const federationJson = await tooBig(
      server.federationUrl,
      'PUT',
      '/_matrix/federation/v1/send/big',
      'Content-Type: application/json\r\n',
      MAX_BODY,
    );
    const media = await tooBig(
      server.clientUrl,
      'POST',
      '/_matrix/media/v3/upload',
      `Authorization: Bearer ${alice.accessToken}\r\nContent-Type: application/octet-stream\r\n`,
      MAX_UPLOAD,
    );

    const headerAfter = headerDrops.map((each) => each.afterMs);
    const bodyAfter = bodyDrops.map((each) => each.afterMs);
    console.log(
      `slow clients: ${SLOW_HEADERS} slow-header connections dropped after ${stat(headerAfter)} s ` +
        `(${headerDrops.filter((each) => each.reply.startsWith('HTTP/1.1 408')).length} with a 408); ` +
        `${SLOW_BODIES} slow-body connections dropped after ${stat(bodyAfter)} s; ` +
        `normal client p50/p99/max ${[50, 99, 100].map((p) => percentile(normalMs, p).toFixed(0)).join('/')} ms over ${normalMs.length} requests, ${normalErrors} errors; ` +
        `upload of ${uploadSeconds} s: ${uploaded.reply.split('\r\n')[0]}; long poll of ${longPollMs / 1000} s: ${polled.status} after ${(polled.ms / 1000).toFixed(1)} s; ` +
        `RSS ${rssBefore.toFixed(0)} -> ${rssAfter.toFixed(0)} MiB`,
    );
    for (const [name, result] of Object.entries({
      clientJson,
      federationJson,
      media,
    })) {
      for (const [how, each] of Object.entries(result)) {
        console.log(
          `  over the limit (${name}, ${how}): ${each.status} after ${(each.sent / 2 ** 20).toFixed(1)} MiB sent, ${each.ms.toFixed(0)} ms`,
        );
      }
    }

    assert.equal(normalErrors, 0);
    assert.ok(percentile(normalMs, 99) < 1_000, 'the normal client is served promptly');
    const headerBound = (HEADER_S + CHECK_S + 3) * 1000;
    for (const drop of headerDrops) {
      assert.ok(drop.afterMs < headerBound, `slow headers dropped after ${drop.afterMs} ms`);
      assert.ok(drop.afterMs >= HEADER_S * 1000 - 500, 'not before the header timeout');
    }
    const bodyBound = (BODY_S * 2 + 3) * 1000;
    for (const drop of bodyDrops) {
      assert.ok(drop.afterMs < bodyBound, `slow body dropped after ${drop.afterMs} ms`);
    }
    assert.match(uploaded.reply, /^HTTP\/1\.1 200/, uploaded.reply.slice(0, 300));
    assert.match(uploaded.reply, /"content_uri":"mxc:\/\//);
    assert.equal(polled.status, 200);
    assert.ok(polled.ms >= longPollMs - 1_000, 'the long poll waited its whole timeout');
    for (const [limit, result] of [
      [MAX_BODY, clientJson],
      [MAX_BODY, federationJson],
      [MAX_UPLOAD, media],
    ] as const) {
      for (const each of [result.declared, result.chunked]) {
        assert.match(each.status, /^HTTP\/1\.1 413/, each.reply.slice(0, 300));
        assert.match(each.reply, /M_TOO_LARGE/);
        // Refused at or soon after the limit, not after reading everything that was offered.
        assert.ok(each.sent < limit * 4, `${each.sent} bytes went out before the 413`);
      }
    }
  });
});

function stat(values: number[]): string {
  const seconds = (ms: number) => (ms / 1000).toFixed(1);
  return `${seconds(Math.min(...values))}-${seconds(Math.max(...values))}`;
}
