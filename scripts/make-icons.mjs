// Draws the app icon and writes it in the forms electron-builder takes as they are (so packaging never has to
// download its icon converter): resources/icon.png (1024 px), resources/icon.icns (macOS), resources/icon.ico
// (Windows) and resources/icons/<size>x<size>.png (Linux). Run `node scripts/make-icons.mjs` after changing the
// drawing; the files are committed.
import { mkdirSync, writeFileSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { crc32, deflateSync } from 'node:zlib'

const resources = join(dirname(fileURLToPath(import.meta.url)), '..', 'resources')

const BACKGROUND = [16, 20, 24]
const ORANGE = [255, 122, 26]
const WHITE = [240, 242, 245]
const BLACK = [16, 20, 24]

/** The colour at (x, y) in a unit square, or null outside the rounded tile. */
function colourAt(x, y) {
  const radius = 0.2
  const cx = Math.min(Math.max(x, radius), 1 - radius)
  const cy = Math.min(Math.max(y, radius), 1 - radius)
  if ((x - cx) ** 2 + (y - cy) ** 2 > radius ** 2) return null
  // A chequered finish band across the middle: four rows of eight squares.
  if (y >= 0.38 && y < 0.62 && x >= 0.14 && x < 0.86) {
    const column = Math.floor((x - 0.14) / 0.09)
    const row = Math.floor((y - 0.38) / 0.06)
    return (column + row) % 2 === 0 ? WHITE : BLACK
  }
  // The finish line's posts, in the RUFUS orange.
  if (y >= 0.2 && y < 0.8 && ((x >= 0.1 && x < 0.14) || (x >= 0.86 && x < 0.9))) return ORANGE
  return BACKGROUND
}

/** RGBA pixels of the icon at one size, each pixel averaged over 4×4 samples for smooth edges. */
function draw(size) {
  const samples = 4
  const pixels = Buffer.alloc(size * size * 4)
  for (let py = 0; py < size; py += 1) {
    for (let px = 0; px < size; px += 1) {
      let r = 0
      let g = 0
      let b = 0
      let covered = 0
      for (let sy = 0; sy < samples; sy += 1) {
        for (let sx = 0; sx < samples; sx += 1) {
          const colour = colourAt((px + (sx + 0.5) / samples) / size, (py + (sy + 0.5) / samples) / size)
          if (colour === null) continue
          r += colour[0]
          g += colour[1]
          b += colour[2]
          covered += 1
        }
      }
      const at = (py * size + px) * 4
      if (covered > 0) {
        pixels[at] = Math.round(r / covered)
        pixels[at + 1] = Math.round(g / covered)
        pixels[at + 2] = Math.round(b / covered)
      }
      pixels[at + 3] = Math.round((255 * covered) / samples ** 2)
    }
  }
  return pixels
}

function chunk(type, data) {
  const length = Buffer.alloc(4)
  length.writeUInt32BE(data.length)
  const body = Buffer.concat([Buffer.from(type, 'ascii'), data])
  const crc = Buffer.alloc(4)
  crc.writeUInt32BE(crc32(body))
  return Buffer.concat([length, body, crc])
}

function png(size) {
  const pixels = draw(size)
  const header = Buffer.alloc(13)
  header.writeUInt32BE(size, 0)
  header.writeUInt32BE(size, 4)
  header[8] = 8 // bits per channel
  header[9] = 6 // RGBA
  const rows = Buffer.alloc(size * (size * 4 + 1))
  for (let y = 0; y < size; y += 1) {
    pixels.copy(rows, y * (size * 4 + 1) + 1, y * size * 4, (y + 1) * size * 4)
  }
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', header),
    chunk('IDAT', deflateSync(rows, { level: 9 })),
    chunk('IEND', Buffer.alloc(0))
  ])
}

const sizes = [16, 32, 48, 64, 128, 256, 512, 1024]
const images = new Map(sizes.map(size => [size, png(size)]))
const image = size => images.get(size)

// Windows: an ICO whose entries are PNG images (Vista and later); 0 in the size bytes means 256.
function ico(entrySizes) {
  const head = Buffer.alloc(6 + 16 * entrySizes.length)
  head.writeUInt16LE(1, 2)
  head.writeUInt16LE(entrySizes.length, 4)
  let offset = head.length
  entrySizes.forEach((size, i) => {
    const at = 6 + 16 * i
    head[at] = size % 256
    head[at + 1] = size % 256
    head.writeUInt16LE(1, at + 4)
    head.writeUInt16LE(32, at + 6)
    head.writeUInt32LE(image(size).length, at + 8)
    head.writeUInt32LE(offset, at + 12)
    offset += image(size).length
  })
  return Buffer.concat([head, ...entrySizes.map(image)])
}

// macOS: an ICNS whose entries are PNG images, each under the type code of its pixel size.
function icns(entries) {
  const parts = entries.map(([type, size]) => {
    const head = Buffer.alloc(8)
    head.write(type, 0, 'ascii')
    head.writeUInt32BE(image(size).length + 8, 4)
    return Buffer.concat([head, image(size)])
  })
  const head = Buffer.alloc(8)
  head.write('icns', 0, 'ascii')
  head.writeUInt32BE(8 + parts.reduce((total, part) => total + part.length, 0), 4)
  return Buffer.concat([head, ...parts])
}

mkdirSync(join(resources, 'icons'), { recursive: true })
writeFileSync(join(resources, 'icon.png'), image(1024))
for (const size of [16, 32, 48, 64, 128, 256, 512]) {
  writeFileSync(join(resources, 'icons', `${size}x${size}.png`), image(size))
}
writeFileSync(join(resources, 'icon.ico'), ico([16, 32, 48, 256]))
writeFileSync(
  join(resources, 'icon.icns'),
  icns([
    ['icp4', 16],
    ['icp5', 32],
    ['icp6', 64],
    ['ic07', 128],
    ['ic08', 256],
    ['ic09', 512],
    ['ic10', 1024],
    ['ic11', 32],
    ['ic12', 64],
    ['ic13', 256],
    ['ic14', 512]
  ])
)
process.stdout.write(`icons written to ${resources}\n`)
