// The federation media multipart/mixed body: our writer against our reader (random contents,
// every chunk split near the boundaries), bodies formatted the way Synapse and ruma-based servers
// send them, and the malformed bodies and limits the reader must refuse.
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import type { Readable } from 'node:stream';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import {
  MultipartError,
  type MultipartReadOptions,
  MultipartTooLargeError,
  parseMultipartBoundary,
  readMultipartMixed,
} from './multipart-mixed-reader.ts';
import { writeMultipartMixed } from './multipart-mixed-writer.ts';

const enc = (text: string) => Buffer.from(text, 'latin1');
const LIMITS: MultipartReadOptions = { maxBytes: 1 << 30 };

async function* chunksOf(body: Uint8Array, cuts: number[] = []): AsyncGenerator<Uint8Array> {
  let from = 0;
  for (const cut of [...new Set(cuts)].sort((a, b) => a - b)) {
    if (cut <= from || cut >= body.length) continue;
    yield body.slice(from, cut);
    from = cut;
  }
  if (from < body.length) yield body.slice(from);
}

async function concat(stream: AsyncIterable<Uint8Array>): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(Buffer.from(chunk));
  return Buffer.concat(chunks);
}

type Read =
  | { metadata: Record<string, unknown>; location: string }
  | { metadata: Record<string, unknown>; headers: Record<string, string>; bytes: Buffer };

// Parses and reads the media to the end, so errors anywhere in the body surface here.
async function readAll(
  contentType: string | undefined,
  body: AsyncIterable<Uint8Array>,
  options: MultipartReadOptions = LIMITS,
): Promise<Read> {
  const result = await readMultipartMixed(contentType, body, options);
  if ('location' in result) return result;
  return {
    metadata: result.metadata,
    headers: result.part.headers,
    bytes: await concat(result.part.body),
  };
}

function written(
  media: Uint8Array,
  extra: { metadata?: Record<string, unknown>; disposition?: string; boundary?: string } = {},
) {
  const response = writeMultipartMixed(
    extra.metadata ?? {},
    {
      contentType: 'application/octet-stream',
      ...(extra.disposition === undefined ? {} : { contentDisposition: extra.disposition }),
      byteLength: media.length,
      bytes: chunksOf(media, [7, 300, 4096]),
    },
    extra.boundary === undefined ? {} : { boundary: extra.boundary },
  );
  return response;
}

const MULTIPART_ERROR = (error: unknown) => error instanceof MultipartError;

describe('writeMultipartMixed', () => {
  it('frames the parts with CRLF, no preamble, and a closing delimiter', async () => {
    const response = writeMultipartMixed(
      { a: 1 },
      {
        contentType: 'text/plain',
        contentDisposition: 'inline; filename=a.txt',
        byteLength: 5,
        bytes: chunksOf(enc('hello')),
      },
      { boundary: 'xyz' },
    );
    const body = await concat(response.body);
    assert.equal(response.contentType, 'multipart/mixed; boundary=xyz');
    assert.equal(
      body.toString('latin1'),
      '--xyz\r\nContent-Type: application/json\r\n\r\n{"a":1}\r\n' +
        '--xyz\r\nContent-Type: text/plain\r\nContent-Disposition: inline; filename=a.txt\r\n\r\n' +
        'hello\r\n--xyz--\r\n',
    );
    assert.equal(response.contentLength, body.length);
  });

  it('writes a Location part with that one header', async () => {
    const response = writeMultipartMixed(
      {},
      { location: 'https://cdn.example/m/1?sig=a' },
      {
        boundary: 'q',
      },
    );
    const body = await concat(response.body);
    assert.equal(
      body.toString('latin1'),
      '--q\r\nContent-Type: application/json\r\n\r\n{}\r\n' +
        '--q\r\nLocation: https://cdn.example/m/1?sig=a\r\n\r\n\r\n--q--\r\n',
    );
    assert.equal(response.contentLength, body.length);
  });

  it('draws a fresh 32-hex-digit boundary, last and unquoted as Synapse splits it', () => {
    const one = written(new Uint8Array()).contentType;
    const two = written(new Uint8Array()).contentType;
    assert.match(one, /^multipart\/mixed; boundary=[0-9a-f]{32}$/);
    assert.notEqual(one, two);
    assert.equal(one.split('boundary=')[1], parseMultipartBoundary(one));
  });

  it('refuses header values that could break the framing, and bad boundaries', () => {
    const bytes = chunksOf(new Uint8Array());
    for (const contentType of ['text/plain\r\nX: y', 'a\nb', 'caf\u00e9/x', '', ' text/plain']) {
      assert.throws(() => writeMultipartMixed({}, { contentType, bytes }), RangeError);
    }
    assert.throws(() => writeMultipartMixed({}, { location: 'https://a/\r\n' }), RangeError);
    for (const boundary of ['', 'a b', 'a\r', 'x'.repeat(71)]) {
      assert.throws(() => writeMultipartMixed({}, { location: 'https://a/' }, { boundary }));
    }
    assert.throws(() => writeMultipartMixed([] as never, { location: 'https://a/' }), TypeError);
  });

  it('fails the stream when the media is not its declared length', async () => {
    for (const [declared, actual] of [
      [4, 5],
      [6, 5],
    ] as const) {
      const response = writeMultipartMixed(
        {},
        {
          contentType: 'text/plain',
          byteLength: declared,
          bytes: chunksOf(new Uint8Array(actual)),
        },
      );
      await assert.rejects(concat(response.body), /declared/);
    }
  });

  it('sends its head before the media source has produced anything', async () => {
    let release!: () => void;
    const gate = new Promise<void>((resolve) => {
      release = resolve;
    });
    let pulled = false;
    async function* slow() {
      pulled = true;
      await gate;
      yield enc('late');
    }
    const response = writeMultipartMixed({}, { contentType: 'text/plain', bytes: slow() });
    const iterator = (response.body as Readable)[Symbol.asyncIterator]();
    const first = Buffer.from((await iterator.next()).value);
    assert.match(first.toString('latin1'), /Content-Type: text\/plain\r\n\r\n$/);
    release();
    assert.ok(pulled);
    const rest: Buffer[] = [];
    for (let step = await iterator.next(); !step.done; step = await iterator.next()) {
      rest.push(Buffer.from(step.value));
    }
    assert.match(Buffer.concat(rest).toString('latin1'), /^late\r\n--[0-9a-f]{32}--\r\n$/);
  });
});

describe('readMultipartMixed round trips', () => {
  it('reads back random media, metadata and chunking', async () => {
    const metadataArb = fc.dictionary(
      fc.string(),
      fc.oneof(fc.string(), fc.integer(), fc.boolean(), fc.constant(null)),
      { maxKeys: 4 },
    );
    const mediaArb = fc.oneof(
      { weight: 4, arbitrary: fc.uint8Array({ maxLength: 400 }) },
      { weight: 1, arbitrary: fc.uint8Array({ minLength: 60_000, maxLength: 140_000 }) },
    );
    await fc.assert(
      fc.asyncProperty(
        mediaArb,
        metadataArb,
        fc.array(fc.nat(), { maxLength: 8 }),
        fc.option(fc.constantFrom('inline', 'attachment; filename=x.bin')),
        async (media, metadata, cuts, disposition) => {
          const response = written(media, {
            metadata,
            ...(disposition === null ? {} : { disposition }),
          });
          const body = await concat(response.body);
          const read = await readAll(
            response.contentType,
            chunksOf(
              body,
              cuts.map((cut) => cut % (body.length + 1)),
            ),
          );
          assert.ok('bytes' in read);
          assert.deepEqual(read.metadata, JSON.parse(JSON.stringify(metadata)));
          assert.deepEqual(read.bytes, Buffer.from(media));
          assert.equal(read.headers['content-type'], 'application/octet-stream');
          assert.equal(read.headers['content-disposition'], disposition ?? undefined);
        },
      ),
      { numRuns: 150 },
    );
  });

  it('reads back media of sizes around the delimiter and chunk lengths', async () => {
    const boundary = 'b'.repeat(32);
    const delimiter = boundary.length + 4;
    const sizes = [0, 1, 2, delimiter - 1, delimiter, delimiter + 1, 65_535, 65_536, 65_537];
    for (const size of [...sizes, 1 << 20]) {
      const media = new Uint8Array(size).map((_, i) => (i * 31 + 7) & 0xff);
      const response = written(media, { boundary });
      // Straight from the writer's stream into the reader, as a proxy would.
      const read = await readAll(response.contentType, response.body);
      assert.ok('bytes' in read);
      assert.ok(read.bytes.equals(media), `size ${size}`);
    }
  });

  it('reads back a Location', async () => {
    const response = writeMultipartMixed({ x: [1] }, { location: 'https://cdn.example/a?b=c' });
    const read = await readAll(response.contentType, response.body);
    assert.deepEqual(read, { metadata: { x: [1] }, location: 'https://cdn.example/a?b=c' });
  });

  it('parses at every split point near the boundaries, including splits three chunks wide', async () => {
    const media = enc('\r\n--ab-x\r\n--abx--ab\r\n--a\r\r\n-');
    const body = await concat(written(media, { boundary: 'ab' }).body);
    const contentType = 'multipart/mixed; boundary=ab';
    const span = '\r\n--ab'.length + 4;
    for (let first = 0; first < body.length; first += 1) {
      for (let second = first + 1; second <= Math.min(body.length, first + span); second += 1) {
        const read = await readAll(contentType, chunksOf(body, [first, second]));
        assert.ok('bytes' in read && read.bytes.equals(media), `cuts ${first}, ${second}`);
      }
    }
    const everyByte = Array.from({ length: body.length }, (_, i) => i);
    const read = await readAll(contentType, chunksOf(body, everyByte));
    assert.ok('bytes' in read && read.bytes.equals(media));
  });

  it('passes media that looks like a boundary through untouched', async () => {
    const delimiter = '\r\n--ab';
    const fragment = fc.constantFrom(
      '\r',
      '\n',
      '-',
      '--',
      ' ',
      'x',
      'ab',
      delimiter,
      `${delimiter}-`,
      `${delimiter}x`,
      `${delimiter}\r`,
      `${delimiter} \t`,
      `${delimiter}-x`,
      '\r\n--a',
      '--ab',
      '--ab--',
      '--ab\r\n',
    );
    // Media holding a real delimiter (as the writer's closing one would complete it) cannot be
    // framed with this boundary at all; the writer's random boundary makes that impossible.
    const framable = (media: string) => !/\r\n--ab(--|[ \t]*\r\n)/.test(`${media}\r\n`);
    await fc.assert(
      fc.asyncProperty(
        fc
          .array(fragment, { maxLength: 30 })
          .map((parts) => parts.join(''))
          .filter(framable),
        fc.array(fc.nat(), { maxLength: 6 }),
        async (text, cuts) => {
          const media = enc(text);
          const body = await concat(written(media, { boundary: 'ab' }).body);
          const read = await readAll(
            'multipart/mixed; boundary=ab',
            chunksOf(
              body,
              cuts.map((cut) => cut % (body.length + 1)),
            ),
          );
          assert.ok('bytes' in read);
          assert.equal(read.bytes.toString('latin1'), text);
        },
      ),
      { numRuns: 400 },
    );
  });

  it('treats a boundary followed by more than 32 padding bytes as content', async () => {
    // The cap keeps an undecided delimiter candidate small however long a run of spaces is.
    const media = enc(`a\r\n--ab${' '.repeat(33)}\r\nb`);
    const body = await concat(written(media, { boundary: 'ab' }).body);
    const read = await readAll('multipart/mixed; boundary=ab', chunksOf(body, [60, 61, 62]));
    assert.ok('bytes' in read && read.bytes.equals(media));
  });

  it('streams the media, holding back no more than a chunk and a delimiter', async () => {
    const chunk = 64 * 1024;
    const total = 8 * 1024 * 1024;
    async function* media() {
      for (let sent = 0; sent < total; sent += chunk) {
        // Mostly CR LF dashes, so held-back partial delimiters are common.
        yield new Uint8Array(chunk).map((_, i) => [13, 10, 45, 45, 0x62][(i + sent) % 5]!);
      }
    }
    const response = writeMultipartMixed({}, { contentType: 'a/b', bytes: media() });
    let pulled = 0;
    let largest = 0;
    async function* counted() {
      for await (const piece of response.body as AsyncIterable<Uint8Array>) {
        pulled += piece.length;
        largest = Math.max(largest, piece.length);
        yield piece;
      }
    }
    const result = await readMultipartMixed(response.contentType, counted(), LIMITS);
    assert.ok('part' in result);
    const head = 200; // the first part and the media headers
    let emitted = 0;
    const hash = createHash('sha256');
    for await (const piece of result.part.body) {
      emitted += piece.length;
      hash.update(piece);
      // The Readable may hand over more than one of the writer's chunks at a time.
      assert.ok(pulled - emitted <= head + largest + 64, `${pulled - emitted} bytes held`);
    }
    assert.equal(emitted, total);
    const expected = createHash('sha256');
    for await (const piece of media()) expected.update(piece);
    assert.equal(hash.digest('hex'), expected.digest('hex'));
  });
});

describe('readMultipartMixed on bodies from other servers', () => {
  // Synapse (synapse/media/media_storage.py MultipartFileConsumer): uuid4().hex boundary, a CRLF
  // before the first boundary, "Name: value" headers, JSON `{}`, Content-Type then
  // Content-Disposition on the media part, and "\r\n--B--\r\n" at the end.
  const B = '4f0b2a9c81d34e6ab7c5d2e1f0a39b87';
  const synapseBody = (media: Buffer, type: string, disposition: string) =>
    Buffer.concat([
      enc(`\r\n--${B}\r\nContent-Type: application/json\r\n\r\n{}\r\n--${B}\r\n`),
      enc(`Content-Type: ${type}\r\nContent-Disposition: ${disposition}\r\n\r\n`),
      media,
      enc(`\r\n--${B}--\r\n`),
    ]);

  it('reads a body formatted as Synapse writes it', async () => {
    const media = Buffer.concat([enc('\x89PNG\r\n\x1a\n'), Buffer.alloc(3000, 0x0d)]);
    const type = 'image/png';
    const disposition = 'inline; filename=cat.png';
    const body = synapseBody(media, type, disposition);
    // Synapse's own Content-Length for this body: media, `{}`, both header lines, and 156 bytes
    // of fixed framing. Matching it shows the fixture has Synapse's exact shape.
    const synapseLength =
      media.length +
      2 +
      `Content-Type: ${type}`.length +
      `Content-Disposition: ${disposition}`.length +
      156;
    assert.equal(body.length, synapseLength);
    for (const cuts of [[], [1], [2, 40, 41], [body.length - 3]]) {
      const read = await readAll(`multipart/mixed; boundary=${B}`, chunksOf(body, cuts));
      assert.deepEqual(read, {
        metadata: {},
        headers: { 'content-type': type, 'content-disposition': disposition },
        bytes: media,
      });
    }
    const utf8 = synapseBody(enc('x'), 'text/plain', "attachment; filename*=utf-8''%E2%98%83.txt");
    const read = await readAll(`multipart/mixed; boundary=${B}`, chunksOf(utf8));
    assert.ok('headers' in read);
    assert.equal(read.headers['content-disposition'], "attachment; filename*=utf-8''%E2%98%83.txt");
  });

  // ruma (ruma-federation-api authenticated_media.rs): 30 alphanumeric boundary, a CRLF first,
  // lowercase header names, and "\r\n--B--" with no CRLF after it in released versions.
  const R = 'Xq3ZpL0aT9mK2vB7nW4cR8yE1uH6sJ';
  it('reads bodies formatted as ruma-based servers write them', async () => {
    const media = enc('s\u00e2me bytes');
    const released = Buffer.concat([
      enc(`\r\n--${R}\r\ncontent-type: application/json\r\n\r\n{}\r\n--${R}\r\n`),
      enc('content-type: text/plain\r\ncontent-disposition: attachment; filename="f.txt"\r\n\r\n'),
      media,
      enc(`\r\n--${R}--`),
    ]);
    const type = `multipart/mixed; boundary=${R}`;
    const read = await readAll(type, chunksOf(released, [released.length - 1]));
    assert.deepEqual(read, {
      metadata: {},
      headers: {
        'content-type': 'text/plain',
        'content-disposition': 'attachment; filename="f.txt"',
      },
      bytes: media,
    });
    // ruma's main branch leaves out the closing "--".
    const unreleased = released.subarray(0, released.length - 2);
    const again = await readAll(type, chunksOf(unreleased, [unreleased.length - 1]));
    assert.ok('bytes' in again && again.bytes.equals(media));

    const location = enc(
      `\r\n--${R}\r\ncontent-type: application/json\r\n\r\n{}\r\n--${R}\r\n` +
        `location: https://media.example/f?t=1\r\n\r\n\r\n--${R}--`,
    );
    assert.deepEqual(await readAll(type, chunksOf(location)), {
      metadata: {},
      location: 'https://media.example/f?t=1',
    });
  });

  it('takes a preamble, padding, folded headers, an epilogue and a quoted boundary', async () => {
    const body = enc(
      'This is a preamble.\r\n--a b:c  \r\n\r\n{"k":"v"}\r\n--a b:c\r\n' +
        'Content-Type: text/plain\r\nContent-Disposition: inline;\r\n\tfilename=a.txt\r\n\r\n' +
        'data\r\n--a b:c--\t\r\nand an epilogue\r\n',
    );
    const read = await readAll('Multipart/Mixed; charset=x; BOUNDARY="a b:c"', chunksOf(body));
    assert.deepEqual(read, {
      metadata: { k: 'v' },
      headers: { 'content-type': 'text/plain', 'content-disposition': 'inline; filename=a.txt' },
      bytes: enc('data'),
    });
    // A quoted-pair stands for its character; a quote itself is no boundary character.
    assert.equal(parseMultipartBoundary('multipart/mixed;boundary="a\\:b"'), 'a:b');
    assert.throws(() => parseMultipartBoundary('multipart/mixed;boundary="a\\"b"'), MultipartError);
  });
});

describe('readMultipartMixed refuses', () => {
  const type = 'multipart/mixed; boundary=ab';
  const head = '--ab\r\nContent-Type: application/json\r\n\r\n{}\r\n--ab\r\n';
  const cases: [string, string, Partial<MultipartReadOptions>?][] = [
    ['an empty body', ''],
    ['a body with no boundary', 'just some text'],
    ['a body with only a closing delimiter', '--ab--\r\n'],
    ['a body with only the metadata part', '--ab\r\n\r\n{}\r\n--ab--\r\n'],
    ['media with no closing delimiter', `${head}Content-Type: a/b\r\n\r\nhello`],
    ['a body cut inside the closing delimiter', `${head}Content-Type: a/b\r\n\r\nhello\r\n--a`],
    ['a body cut after one dash', `${head}Content-Type: a/b\r\n\r\nhello\r\n--ab-`],
    ['a body cut after the delimiter CR', `${head}Content-Type: a/b\r\n\r\nhello\r\n--ab\r`],
    ['a third part', `${head}Content-Type: a/b\r\n\r\nhi\r\n--ab\r\n\r\nmore\r\n--ab--`],
    ['metadata that is not JSON', '--ab\r\n\r\nnot json\r\n--ab\r\n\r\nx\r\n--ab--'],
    ['metadata that is an array', '--ab\r\n\r\n[]\r\n--ab\r\n\r\nx\r\n--ab--'],
    ['metadata that is not UTF-8', '--ab\r\n\r\n{"a":"\xff"}\r\n--ab\r\n\r\nx\r\n--ab--'],
    ['metadata that says it is text', '--ab\r\nContent-Type: text/plain\r\n\r\n{}\r\n--ab--'],
    ['bare LF line ends', '--ab\nContent-Type: application/json\n\n{}\r\n--ab\n\nx\r\n--ab--'],
    ['a header ending in bare LF', '--ab\r\nContent-Type: application/json\n\r\n{}\r\n--ab--'],
    ['a header with a bare CR', '--ab\r\nContent-Type: a\rb\r\n\r\n{}\r\n--ab--'],
    ['a header with a control character', `${head}Content-Type: a/\x01b\r\n\r\nx\r\n--ab--`],
    ['a folded header with DEL', `${head}Content-Type: a/b;\r\n x=\x7f\r\n\r\nx\r\n--ab--`],
    ['a header with no colon', `${head}Content-Type a/b\r\n\r\nx\r\n--ab--`],
    ['a header name with a space', `${head}Content Type: a/b\r\n\r\nx\r\n--ab--`],
    ['a fold before any header', `${head} folded\r\n\r\nx\r\n--ab--`],
    ['a header given twice', `${head}Content-Type: a/b\r\ncontent-type: c/d\r\n\r\nx\r\n--ab--`],
    ['headers that never end', `${head}Content-Type: a/b\r\n`],
    ['a Location that is not a URL', `${head}Location: /relative\r\n\r\n\r\n--ab--`],
    [
      'a Location part and a third part',
      `${head}Location: https://a/\r\n\r\n\r\n--ab\r\n\r\n\r\n--ab--`,
    ],
    ['a Location part with no end', `${head}Location: https://a/\r\n\r\n`],
    ['long headers', `${head}X: ${'y'.repeat(200)}\r\n\r\nx\r\n--ab--`, { maxHeaderBytes: 100 }],
    ['a long preamble', `${'p'.repeat(200)}\r\n${head}\r\nx\r\n--ab--`, { maxHeaderBytes: 100 }],
    [
      'long metadata',
      `--ab\r\n\r\n{"a":"${'y'.repeat(200)}"}\r\n--ab--`,
      { maxMetadataBytes: 100 },
    ],
  ];
  for (const [what, text, limits] of cases) {
    it(what, async () => {
      const body = enc(text);
      for (const cuts of [[], [Math.floor(body.length / 2)], [body.length - 1]]) {
        await assert.rejects(
          readAll(type, chunksOf(body, cuts), { ...LIMITS, ...limits }),
          MULTIPART_ERROR,
        );
      }
    });
  }

  it('Content-Type headers that are not multipart/mixed with a valid boundary', async () => {
    const body = `${head}Content-Type: a/b\r\n\r\nx\r\n--ab--`;
    for (const contentType of [
      undefined,
      '',
      'application/json',
      'multipart/form-data; boundary=ab',
      'multipart/mixed',
      'multipart/mixed; boundary=',
      'multipart/mixed; boundary=""',
      'multipart/mixed; boundary="ab',
      'multipart/mixed; boundary=ab; boundary=ab',
      'multipart/mixed; boundary="ends in space "',
      `multipart/mixed; boundary=${'a'.repeat(71)}`,
      'multipart/mixed; boundary="a\u00e9"',
      'multipart/mixed; boundary=ab junk',
    ]) {
      await assert.rejects(readAll(contentType, chunksOf(enc(body))), MULTIPART_ERROR, contentType);
    }
  });
});

describe('readMultipartMixed limits', () => {
  it('stops reading once the media passes maxBytes, and closes the body', async () => {
    let pulls = 0;
    let closed = false;
    async function* endless() {
      try {
        yield enc('--ab\r\n\r\n{}\r\n--ab\r\nContent-Type: a/b\r\n\r\n');
        for (;;) {
          pulls += 1;
          yield new Uint8Array(1000).fill(0x61);
        }
      } finally {
        closed = true;
      }
    }
    await assert.rejects(
      readAll('multipart/mixed; boundary=ab', endless(), { maxBytes: 10_000 }),
      (error) => error instanceof MultipartTooLargeError,
    );
    assert.ok(pulls <= 12, `${pulls} chunks pulled`);
    assert.ok(closed);
  });

  it('allows media of exactly maxBytes', async () => {
    const media = new Uint8Array(5000).fill(1);
    const response = written(media);
    const fixedBody = await concat(response.body);
    const read = await readAll(response.contentType, chunksOf(fixedBody), { maxBytes: 5000 });
    assert.ok('bytes' in read && read.bytes.length === 5000);
    await assert.rejects(
      readAll(response.contentType, chunksOf(fixedBody), { maxBytes: 4999 }),
      MultipartTooLargeError,
    );
  });

  it('closes the body when the reader leaves early or discards the media', async () => {
    for (const how of ['break', 'discard'] as const) {
      let closed = false;
      async function* source() {
        try {
          yield enc('--ab\r\n\r\n{}\r\n--ab\r\nContent-Type: a/b\r\n\r\nfirst');
          yield enc('second');
          yield enc('\r\n--ab--');
        } finally {
          closed = true;
        }
      }
      const result = await readMultipartMixed('multipart/mixed; boundary=ab', source(), LIMITS);
      assert.ok('part' in result);
      if (how === 'break') {
        for await (const _ of result.part.body) break;
      } else {
        await result.part.discard();
      }
      assert.ok(closed, how);
    }
  });

  it('closes the body when the metadata is refused', async () => {
    let closed = false;
    async function* source() {
      try {
        yield enc('--ab\r\n\r\nnope\r\n--ab\r\n');
        yield enc('more');
      } finally {
        closed = true;
      }
    }
    await assert.rejects(readMultipartMixed('multipart/mixed; boundary=ab', source(), LIMITS));
    assert.ok(closed);
  });
});
