// Thumbnails end to end with real images made by sharp itself: sizes, types, aspect ratio, no
// upscaling, EXIF rotation, metadata stripping, animation, and the refusals (not an image, too
// many pixels, too many bytes). Plus case tables for the size choice and the query parameters.
// No database is involved, so these run once rather than per DATABASE_KINDS.
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { crc32, deflateSync } from 'node:zlib';
import sharp from 'sharp';
import {
  cropDimensions,
  NotThumbnailableError,
  type RenderThumbnailOptions,
  renderThumbnail,
  ThumbnailTooLargeError,
} from './render-thumbnail.ts';
import { chooseThumbnailSize, parseThumbnailParams, THUMBNAIL_SIZES } from './thumbnail-sizes.ts';
import {
  formatForContentType,
  sniffImageFormat,
  thumbnailContentType,
} from './thumbnailable-types.ts';

type Rgb = readonly [number, number, number];
const RED: Rgb = [255, 0, 0];
const GREEN: Rgb = [0, 255, 0];
const BLUE: Rgb = [0, 0, 255];

/** Raw RGBA pixels in equal bands of colour, top to bottom or left to right. */
function bands(width: number, height: number, colours: Rgb[], across: 'rows' | 'columns') {
  const pixels = Buffer.alloc(width * height * 4);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const along = across === 'rows' ? y / height : x / width;
      const [r, g, b] = colours[Math.floor(along * colours.length)]!;
      pixels.set([r, g, b, 255], (y * width + x) * 4);
    }
  }
  return sharp(pixels, { raw: { width, height, channels: 4 } });
}

function solid(width: number, height: number, colour: Rgb, alpha = 1) {
  const [r, g, b] = colour;
  return sharp({ create: { width, height, channels: 4, background: { r, g, b, alpha } } });
}

/** An animation: one solid frame per colour. */
function animation(width: number, height: number, colours: Rgb[]) {
  const frames = colours.map(([r, g, b]) =>
    Buffer.alloc(width * height * 4, Buffer.from([r, g, b, 255])),
  );
  return sharp(Buffer.concat(frames), {
    raw: { width, height: height * colours.length, channels: 4, pageHeight: height },
  });
}

async function pixel(bytes: Buffer, x: number, y: number) {
  const { data, info } = await sharp(bytes).raw().toBuffer({ resolveWithObject: true });
  const at = (y * info.width + x) * info.channels;
  return [...data.subarray(at, at + info.channels)];
}

function near(actual: number[], expected: Rgb, message: string) {
  expected.forEach((value, i) => {
    assert.ok(Math.abs(actual[i]! - value) <= 40, `${message}: got ${actual}, want ~${expected}`);
  });
}

const SCALE_320: RenderThumbnailOptions = { width: 320, height: 240, method: 'scale' };
const CROP_96: RenderThumbnailOptions = { width: 96, height: 96, method: 'crop' };

test('JPEG scales inside the box, keeps its aspect ratio and stays JPEG', async () => {
  const jpeg = await solid(1200, 900, BLUE).jpeg().toBuffer();
  const out = await renderThumbnail(jpeg, SCALE_320);
  assert.equal(out.contentType, 'image/jpeg');
  assert.deepEqual([out.width, out.height], [320, 240]);
  const meta = await sharp(out.bytes).metadata();
  assert.equal(meta.format, 'jpeg');
  assert.deepEqual([meta.width, meta.height], [320, 240]);

  const crop = await renderThumbnail(jpeg, CROP_96);
  assert.deepEqual([crop.width, crop.height, crop.contentType], [96, 96, 'image/jpeg']);
});

test('tall and wide images keep their aspect ratio under scale', async () => {
  const tall = await renderThumbnail(await solid(300, 1200, RED).png().toBuffer(), SCALE_320);
  assert.deepEqual([tall.width, tall.height], [60, 240]);
  const wide = await renderThumbnail(await solid(2000, 100, RED).webp().toBuffer(), SCALE_320);
  assert.deepEqual([wide.width, wide.height], [320, 16]);
  const thin = await renderThumbnail(await solid(10000, 1, RED).png().toBuffer(), SCALE_320);
  assert.deepEqual([thin.width, thin.height], [320, 1], 'a dimension never rounds to zero');
});

test('crop fills the box from the centre of the image', async () => {
  const tall = await bands(300, 1200, [RED, GREEN, BLUE], 'rows').png().toBuffer();
  const out = await renderThumbnail(tall, CROP_96);
  assert.deepEqual([out.width, out.height], [96, 96]);
  near(await pixel(out.bytes, 48, 2), GREEN, 'top edge comes from the middle band');
  near(await pixel(out.bytes, 48, 93), GREEN, 'bottom edge comes from the middle band');

  const wide = await bands(1800, 300, [RED, GREEN, BLUE], 'columns').jpeg().toBuffer();
  const landscape = await renderThumbnail(wide, { width: 320, height: 240, method: 'crop' });
  assert.deepEqual([landscape.width, landscape.height], [320, 240]);
  near(await pixel(landscape.bytes, 5, 120), GREEN, 'left edge comes from the middle band');
});

test('small images are never enlarged', async () => {
  const small = await solid(50, 50, GREEN).png().toBuffer();
  const scaled = await renderThumbnail(small, SCALE_320);
  assert.deepEqual([scaled.width, scaled.height], [50, 50]);

  // Smaller than the box: the largest centred square it holds, at its own scale.
  const cropped = await renderThumbnail(await solid(50, 30, GREEN).png().toBuffer(), CROP_96);
  assert.deepEqual([cropped.width, cropped.height], [30, 30]);
  // Covers the box in one direction only: still no enlargement.
  const strip = await renderThumbnail(await solid(1000, 60, GREEN).png().toBuffer(), CROP_96);
  assert.deepEqual([strip.width, strip.height], [60, 60]);
  // Covers a smaller box: exact size.
  const exact = await renderThumbnail(await solid(50, 40, GREEN).png().toBuffer(), {
    width: 32,
    height: 32,
    method: 'crop',
  });
  assert.deepEqual([exact.width, exact.height], [32, 32]);
});

test('PNG with alpha stays PNG and keeps its transparency', async () => {
  const png = await solid(400, 400, RED, 0).png().toBuffer();
  const out = await renderThumbnail(png, SCALE_320);
  assert.equal(out.contentType, 'image/png');
  assert.deepEqual([out.width, out.height], [240, 240]);
  const meta = await sharp(out.bytes).metadata();
  assert.equal(meta.format, 'png');
  assert.equal(meta.hasAlpha, true);
  assert.equal((await pixel(out.bytes, 10, 10))[3], 0, 'transparent stays transparent');
});

test('still GIF and WebP become PNG', async () => {
  const gif = await renderThumbnail(await solid(200, 100, RED).gif().toBuffer(), SCALE_320);
  assert.deepEqual([gif.contentType, gif.width, gif.height], ['image/png', 200, 100]);
  const webp = await renderThumbnail(await solid(1000, 500, RED).webp().toBuffer(), SCALE_320);
  assert.deepEqual([webp.contentType, webp.width, webp.height], ['image/png', 320, 160]);
  assert.equal((await sharp(webp.bytes).metadata()).format, 'png');
  // animated=true on a still image is ignored, as the spec asks.
  const still = await renderThumbnail(await solid(100, 100, RED).jpeg().toBuffer(), {
    ...SCALE_320,
    animated: true,
  });
  assert.deepEqual([still.contentType, still.animated], ['image/jpeg', false]);
});

test('AVIF is read and thumbnailed as PNG', async () => {
  const avif = await solid(640, 480, BLUE).avif().toBuffer();
  const out = await renderThumbnail(avif, SCALE_320);
  assert.deepEqual([out.contentType, out.width, out.height], ['image/png', 320, 240]);
});

for (const kind of ['gif', 'webp'] as const) {
  test(`animated ${kind}: animated WebP only when asked, else its first frame`, async () => {
    const source = await animation(400, 200, [RED, GREEN, BLUE])[kind]().toBuffer();
    assert.equal((await sharp(source).metadata()).pages, 3, 'precondition: three frames');

    const moving = await renderThumbnail(source, { ...SCALE_320, animated: true });
    assert.deepEqual([moving.contentType, moving.animated], ['image/webp', true]);
    assert.deepEqual([moving.width, moving.height], [320, 160]);
    const meta = await sharp(moving.bytes).metadata();
    assert.deepEqual([meta.format, meta.pages, meta.width, meta.height], ['webp', 3, 320, 160]);

    const cropped = await renderThumbnail(source, { ...CROP_96, animated: true });
    const cropMeta = await sharp(cropped.bytes).metadata();
    assert.deepEqual([cropMeta.pages, cropMeta.width, cropMeta.height], [3, 96, 96]);

    for (const animated of [false, undefined]) {
      const still = await renderThumbnail(source, { ...SCALE_320, animated });
      assert.deepEqual([still.contentType, still.animated], ['image/png', false]);
      assert.equal((await sharp(still.bytes).metadata()).pages ?? 1, 1);
      near(await pixel(still.bytes, 10, 10), RED, 'the first frame');
    }
  });
}

test('an animation too big to decode whole falls back to a still of its first frame', async () => {
  const source = await animation(100, 50, [RED, GREEN, BLUE]).gif().toBuffer();
  // 5000 pixels a frame fits; 15000 for all three does not.
  const out = await renderThumbnail(source, { ...SCALE_320, animated: true, maxPixels: 10_000 });
  assert.deepEqual(
    [out.contentType, out.animated, out.width, out.height],
    ['image/png', false, 100, 50],
  );
});

test('EXIF orientation is applied, then dropped', async () => {
  // Stored landscape, left half red, right half blue; orientation 6 shows it turned a quarter
  // clockwise, so the viewer sees a portrait image, red on top.
  const jpeg = await bands(400, 200, [RED, BLUE], 'columns')
    .jpeg()
    .withMetadata({ orientation: 6 })
    .toBuffer();
  assert.equal((await sharp(jpeg).metadata()).orientation, 6, 'precondition');
  const out = await renderThumbnail(jpeg, SCALE_320);
  assert.deepEqual([out.width, out.height], [120, 240]);
  near(await pixel(out.bytes, 60, 10), RED, 'top');
  near(await pixel(out.bytes, 60, 230), BLUE, 'bottom');
  assert.equal((await sharp(out.bytes).metadata()).orientation, undefined);

  const crop = await renderThumbnail(jpeg, { width: 32, height: 64, method: 'crop' });
  assert.deepEqual([crop.width, crop.height], [32, 64]);
  near(await pixel(crop.bytes, 16, 2), RED, 'cropped top');
});

test('EXIF (GPS included), ICC and XMP never reach the thumbnail', async () => {
  const secret = 'cairn-test-secret';
  const jpeg = await solid(800, 600, GREEN)
    .jpeg()
    .withExif({
      IFD0: { Copyright: secret, Artist: secret },
      IFD3: { GPSLatitudeRef: 'N', GPSLatitude: '48/1 51/1 24/1' },
    })
    .withIccProfile('p3')
    .withXmp(`<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF>${secret}</rdf:RDF></x:xmpmeta>`)
    .toBuffer();
  const before = await sharp(jpeg).metadata();
  assert.ok(before.exif && before.icc && before.xmp, 'precondition: the source carries all three');
  assert.ok(jpeg.includes(secret));

  for (const options of [SCALE_320, CROP_96]) {
    const out = await renderThumbnail(jpeg, options);
    const meta = await sharp(out.bytes).metadata();
    assert.equal(meta.exif, undefined);
    assert.equal(meta.icc, undefined);
    assert.equal(meta.xmp, undefined);
    assert.ok(!out.bytes.includes(secret));
    assert.ok(!out.bytes.includes('GPS'));
  }
});

/** A PNG that is only a header claiming width x height: the classic decompression bomb. */
function pngHeaderOnly(width: number, height: number): Buffer {
  const chunk = (type: string, data: Buffer) => {
    const body = Buffer.concat([Buffer.from(type, 'latin1'), data]);
    const length = Buffer.alloc(4);
    length.writeUInt32BE(data.length);
    const crc = Buffer.alloc(4);
    crc.writeUInt32BE(crc32(body));
    return Buffer.concat([length, body, crc]);
  };
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width, 0);
  ihdr.writeUInt32BE(height, 4);
  ihdr.set([8, 2, 0, 0, 0], 8); // 8-bit RGB
  const signature = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
  // One scanline's worth of pixels: enough for libpng to read the header, nowhere near enough
  // for the image.
  const idat = chunk('IDAT', deflateSync(Buffer.alloc(1 + width * 3)));
  return Buffer.concat([signature, chunk('IHDR', ihdr), idat, chunk('IEND', Buffer.alloc(0))]);
}

test('too many pixels is refused before decoding', async () => {
  // 50000x50000 would need 7.5 GB decoded; the default 32 Mi pixel limit refuses it from the header.
  await assert.rejects(
    renderThumbnail(pngHeaderOnly(50_000, 50_000), SCALE_320),
    ThumbnailTooLargeError,
  );
  // Just over a small configured limit, with a real image.
  const png = await solid(1000, 1000, RED).png().toBuffer();
  await assert.rejects(
    renderThumbnail(png, { ...SCALE_320, maxPixels: 999_999 }),
    ThumbnailTooLargeError,
  );
  const fits = await renderThumbnail(png, { ...SCALE_320, maxPixels: 1_000_000 });
  assert.equal(fits.width, 240);
});

test('content that is not a decodable, allowed image is refused', async () => {
  const jpeg = await solid(200, 200, RED).jpeg().toBuffer();
  const cases: Array<[string, Buffer]> = [
    ['random bytes', Buffer.from(Array.from({ length: 4096 }, (_, i) => (i * 7919 + 13) % 256))],
    ['empty', Buffer.alloc(0)],
    ['text', Buffer.from('hello, this is not an image')],
    ['a JPEG header with no image', jpeg.subarray(0, 40)],
    ['a PNG header claiming no pixels', pngHeaderOnly(0, 0)],
    [
      'SVG (librsvg is not trusted here)',
      Buffer.from('<svg xmlns="http://www.w3.org/2000/svg" width="9" height="9"/>'),
    ],
    ['TIFF (readable by sharp, not allowed)', await solid(20, 20, RED).tiff().toBuffer()],
  ];
  for (const [name, bytes] of cases) {
    await assert.rejects(renderThumbnail(bytes, SCALE_320), NotThumbnailableError, name);
  }
});

test('a file path and a stream are accepted; a stream over its byte cap is refused', async () => {
  const jpeg = await solid(640, 480, BLUE).jpeg().toBuffer();
  const dir = await mkdtemp(join(tmpdir(), 'cairn-thumb-'));
  try {
    const path = join(dir, 'blob');
    await writeFile(path, jpeg);
    const fromFile = await renderThumbnail(path, SCALE_320);
    assert.deepEqual(
      [fromFile.contentType, fromFile.width, fromFile.height],
      ['image/jpeg', 320, 240],
    );
    await assert.rejects(renderThumbnail(join(dir, 'absent'), SCALE_320), (error: Error) => {
      return (
        !(error instanceof NotThumbnailableError) && !(error instanceof ThumbnailTooLargeError)
      );
    });
  } finally {
    await rm(dir, { recursive: true, force: true });
  }

  let closed = false;
  async function* chunks() {
    try {
      for (let at = 0; at < jpeg.length; at += 1000) yield jpeg.subarray(at, at + 1000);
    } finally {
      closed = true;
    }
  }
  const fromStream = await renderThumbnail(chunks(), CROP_96);
  assert.deepEqual([fromStream.width, fromStream.height], [96, 96]);

  closed = false;
  await assert.rejects(
    renderThumbnail(chunks(), { ...SCALE_320, maxInputBytes: jpeg.length - 1 }),
    ThumbnailTooLargeError,
  );
  assert.ok(closed, 'the source stream is closed when refused');
  await assert.rejects(renderThumbnail(jpeg, { ...SCALE_320, width: 0 }), RangeError);
});

test('cropDimensions: the box, or the largest centred region of its shape', () => {
  const cases: Array<[[number, number], [number, number], [number, number]]> = [
    [
      [1000, 800],
      [96, 96],
      [96, 96],
    ],
    [
      [96, 96],
      [96, 96],
      [96, 96],
    ],
    [
      [50, 30],
      [96, 96],
      [30, 30],
    ],
    [
      [30, 50],
      [96, 96],
      [30, 30],
    ],
    [
      [1000, 60],
      [96, 96],
      [60, 60],
    ],
    [
      [100, 100],
      [320, 240],
      [100, 75],
    ],
    [
      [100, 100],
      [240, 320],
      [75, 100],
    ],
    [
      [1, 1],
      [96, 96],
      [1, 1],
    ],
    [
      [500, 2],
      [96, 48],
      [4, 2],
    ],
  ];
  for (const [[width, height], [boxWidth, boxHeight], expected] of cases) {
    const got = cropDimensions({ width, height }, { width: boxWidth, height: boxHeight });
    assert.deepEqual(
      [got.width, got.height],
      expected,
      `${width}x${height} in ${boxWidth}x${boxHeight}`,
    );
  }
});

test('chooseThumbnailSize: smallest that covers the request, else the largest', () => {
  const cases: Array<[number, number, 'crop' | 'scale', string]> = [
    [1, 1, 'scale', '320x240'],
    [320, 240, 'scale', '320x240'],
    [321, 240, 'scale', '640x480'],
    [320, 241, 'scale', '640x480'],
    [400, 100, 'scale', '640x480'],
    [100, 400, 'scale', '640x480'],
    [640, 480, 'scale', '640x480'],
    [641, 1, 'scale', '800x600'],
    [300, 500, 'scale', '800x600'],
    [800, 600, 'scale', '800x600'],
    [801, 600, 'scale', '800x600'],
    [10_000, 10_000, 'scale', '800x600'],
    [1, 1, 'crop', '32x32'],
    [32, 32, 'crop', '32x32'],
    [33, 10, 'crop', '96x96'],
    [64, 64, 'crop', '96x96'],
    [96, 96, 'crop', '96x96'],
    [97, 97, 'crop', '96x96'],
    [200, 100, 'crop', '96x96'],
  ];
  for (const [width, height, method, expected] of cases) {
    const size = chooseThumbnailSize({ width, height, method });
    assert.equal(`${size.width}x${size.height}`, expected, `${method} ${width}x${height}`);
    assert.equal(size.method, method);
  }
  // The order of a custom list does not matter; a method with no sizes is a configuration bug.
  const custom = [
    { width: 800, height: 800, method: 'crop' as const },
    { width: 64, height: 64, method: 'crop' as const },
  ];
  assert.equal(chooseThumbnailSize({ width: 50, height: 50, method: 'crop' }, custom).width, 64);
  assert.throws(() => chooseThumbnailSize({ width: 1, height: 1, method: 'scale' }, custom));
  assert.equal(THUMBNAIL_SIZES.length, 5);
});

test('parseThumbnailParams: integers, method and animated, with the errcodes', () => {
  const ok: Array<[Record<string, unknown>, unknown]> = [
    [
      { width: '64', height: '48' },
      { width: 64, height: 48, method: 'scale', animated: false },
    ],
    [
      { width: '1', height: '1', method: 'crop', animated: 'true' },
      { width: 1, height: 1, method: 'crop', animated: true },
    ],
    [
      { width: '064', height: '800', method: 'scale', animated: 'false' },
      { width: 64, height: 800, method: 'scale', animated: false },
    ],
    [
      { width: ['32', '999'], height: '32' },
      { width: 32, height: 32, method: 'scale', animated: false },
    ],
    [
      { width: '100000', height: '100000' },
      { width: 100000, height: 100000, method: 'scale', animated: false },
    ],
  ];
  for (const [query, request] of ok) {
    assert.deepEqual(parseThumbnailParams(query), { ok: true, request }, JSON.stringify(query));
  }

  const bad: Array<[Record<string, unknown>, string]> = [
    [{ height: '32' }, 'M_MISSING_PARAM'],
    [{ width: '32' }, 'M_MISSING_PARAM'],
    [{}, 'M_MISSING_PARAM'],
    [{ width: '0', height: '32' }, 'M_INVALID_PARAM'],
    [{ width: '-32', height: '32' }, 'M_INVALID_PARAM'],
    [{ width: '32', height: '-1' }, 'M_INVALID_PARAM'],
    [{ width: '3.5', height: '32' }, 'M_INVALID_PARAM'],
    [{ width: '32.0', height: '32' }, 'M_INVALID_PARAM'],
    [{ width: 'abc', height: '32' }, 'M_INVALID_PARAM'],
    [{ width: '', height: '32' }, 'M_INVALID_PARAM'],
    [{ width: ' 32', height: '32' }, 'M_INVALID_PARAM'],
    [{ width: '+32', height: '32' }, 'M_INVALID_PARAM'],
    [{ width: '1e3', height: '32' }, 'M_INVALID_PARAM'],
    [{ width: '0x20', height: '32' }, 'M_INVALID_PARAM'],
    [{ width: '99999999999999999999', height: '32' }, 'M_INVALID_PARAM'],
    [{ width: { a: 1 }, height: '32' }, 'M_INVALID_PARAM'],
    [{ width: '32', height: '32', method: 'fit' }, 'M_INVALID_PARAM'],
    [{ width: '32', height: '32', method: 'CROP' }, 'M_INVALID_PARAM'],
    [{ width: '32', height: '32', method: '' }, 'M_INVALID_PARAM'],
    [{ width: '32', height: '32', animated: 'yes' }, 'M_INVALID_PARAM'],
    [{ width: '32', height: '32', animated: '1' }, 'M_INVALID_PARAM'],
    [{ width: '32', height: '32', animated: '' }, 'M_INVALID_PARAM'],
  ];
  for (const [query, errcode] of bad) {
    const result = parseThumbnailParams(query);
    assert.equal(result.ok, false, JSON.stringify(query));
    if (!result.ok) {
      assert.equal(result.errcode, errcode, JSON.stringify(query));
      assert.ok(result.error.length > 0);
    }
  }
});

test('content types: declared types, sniffed formats and output types', async () => {
  const declared: Array<[string | undefined, string | undefined]> = [
    ['image/jpeg', 'jpeg'],
    ['IMAGE/JPG', 'jpeg'],
    ['image/png; charset=binary', 'png'],
    ['image/apng', 'png'],
    ['image/gif', 'gif'],
    ['image/webp', 'webp'],
    ['image/avif', 'heif'],
    ['image/heic', undefined],
    ['image/svg+xml', undefined],
    ['image/tiff', undefined],
    ['application/pdf', undefined],
    ['video/mp4', undefined],
    ['constructor', undefined],
    [undefined, undefined],
  ];
  for (const [type, format] of declared) {
    assert.equal(formatForContentType(type), format, String(type));
  }

  const sniffed: Array<[string, Buffer, string | undefined]> = [
    ['jpeg', await solid(8, 8, RED).jpeg().toBuffer(), 'jpeg'],
    ['png', await solid(8, 8, RED).png().toBuffer(), 'png'],
    ['gif', await solid(8, 8, RED).gif().toBuffer(), 'gif'],
    ['webp', await solid(8, 8, RED).webp().toBuffer(), 'webp'],
    ['avif', await solid(8, 8, RED).avif().toBuffer(), 'heif'],
    ['tiff', await solid(8, 8, RED).tiff().toBuffer(), undefined],
    // An ISO-BMFF ftyp box with HEIC brands only.
    ['heic', Buffer.from('\0\0\0\x18ftypheic\0\0\0\0mif1heic', 'latin1'), undefined],
    ['empty', Buffer.alloc(0), undefined],
    ['two bytes of jpeg', Buffer.from([0xff, 0xd8]), undefined],
  ];
  for (const [name, bytes, format] of sniffed) {
    assert.equal(sniffImageFormat(bytes.subarray(0, 64)), format, name);
  }

  const outputs: Array<[Parameters<typeof thumbnailContentType>, string, boolean]> = [
    [['jpeg', { animated: true, frames: 1 }], 'image/jpeg', false],
    [['png', { animated: true, frames: 5 }], 'image/png', false],
    [['gif', { animated: false, frames: 5 }], 'image/png', false],
    [['gif', { animated: true, frames: 1 }], 'image/png', false],
    [['gif', { animated: true, frames: 2 }], 'image/webp', true],
    [['webp', { animated: true, frames: 2 }], 'image/webp', true],
    [['webp', { animated: false, frames: 2 }], 'image/png', false],
    [['heif', { animated: true, frames: 3 }], 'image/png', false],
  ];
  for (const [args, contentType, animated] of outputs) {
    assert.deepEqual(
      thumbnailContentType(...args),
      { contentType, animated },
      JSON.stringify(args),
    );
  }
});
