// Browser E2E: the photo gallery (issue 14) against the real binary, in
// Debian's Chromium. A moderator (laptop), a projector and one phone:
//
//   the moderator creates a conference and turns approval on → the phone
//   joins, opens "Fotos" and takes a photo (the camera input, given a real
//   JPEG drawn on a canvas in the page, with an Exif APP1 segment spliced
//   in after SOI: a GPS IFD with a position and a unique canary string) →
//   the phone says it waits for approval → the moderator sees it waiting
//   and approves it → the phone sees it shown → the moderator puts the
//   photos on the projector → the slideshow shows it, "1/1", under a
//   running countdown, and so does a remote attendee's watch view → the
//   bytes of the shown image (and of the API's full photo and thumbnail) carry
//   neither the canary nor an Exif APP1 segment → the phone goes offline,
//   takes a second photo, which waits on the device (IndexedDB) → reloads
//   offline (the service worker serves the app) and the photo is still
//   waiting, not sent → back online, it arrives: the moderator's list
//   shows two photos → the documentation (HTML, PDF, JSON) holds the
//   approved photo as stored and not the one awaiting approval, and no
//   export carries the canary.
//
// A second test: the event page (`/e/{event}`) shows a phone in the plenary
// the shown photo of a workshop it is not in (and not the hidden one),
// with the board it comes from; opened large and closed by keyboard.
//
// Along the way: axe-core on the phone's gallery, the moderator's panel
// and the slideshow; screenshots in tests/e2e/artifacts/.
//
// Run: cd tests/e2e && node --test gallery.test.mjs   (binary:
// $KARTENWAND_BIN or <repo>/target/debug/kartenwand).

import { test } from 'node:test'
import assert from 'node:assert/strict'

import {
  axeCollector,
  backOnline,
  createConference,
  fillJoinForm,
  openPage,
  reloadOffline,
  screenshot,
  startServerAndBrowser,
  visible,
  waitFor
} from './harness.mjs'

const TEST_TIMEOUT_MS = 180_000
/** Stands for what a camera writes: found anywhere in the stored photo, it leaked. */
const CANARY = 'KW-CANARY-GPS-7f3a91c2'

/** A JPEG of `width` × `height` drawn on a canvas in `page` (a flipchart, more or less). */
async function canvasJpeg (page, width, height, colour) {
  const dataUrl = await page.evaluate(({ width, height, colour }) => {
    const canvas = document.createElement('canvas')
    canvas.width = width
    canvas.height = height
    const context = canvas.getContext('2d')
    context.fillStyle = '#fdfdf8'
    context.fillRect(0, 0, width, height)
    context.fillStyle = colour
    for (let i = 0; i < 6; i++) context.fillRect(40, 40 + i * 60, width - 80 - i * 50, 28)
    return canvas.toDataURL('image/jpeg', 0.9)
  }, { width, height, colour })
  return Buffer.from(dataUrl.slice(dataUrl.indexOf(',') + 1), 'base64')
}

/**
 * An Exif APP1 segment: a little-endian TIFF whose IFD0 holds an
 * ImageDescription (the canary) and a pointer to a GPS IFD with latitude
 * and longitude (Kassel), as a phone camera writes them.
 */
function exifSegment (canary) {
  const entry = (tag, type, count, value) => {
    const bytes = Buffer.alloc(12)
    bytes.writeUInt16LE(tag, 0)
    bytes.writeUInt16LE(type, 2)
    bytes.writeUInt32LE(count, 4)
    if (Buffer.isBuffer(value)) value.copy(bytes, 8)
    else bytes.writeUInt32LE(value, 8)
    return bytes
  }
  const rationals = (pairs) => {
    const bytes = Buffer.alloc(pairs.length * 8)
    pairs.forEach(([n, d], i) => {
      bytes.writeUInt32LE(n, i * 8)
      bytes.writeUInt32LE(d, i * 8 + 4)
    })
    return bytes
  }
  const ASCII = 2
  const LONG = 4
  const RATIONAL = 5
  const description = Buffer.from(`${canary}\0`, 'ascii')
  // Layout: header (8), IFD0 (2 + 2×12 + 4), GPS IFD (2 + 4×12 + 4), then the values.
  const ifd0 = 8
  const gps = ifd0 + 2 + 2 * 12 + 4
  const values = gps + 2 + 4 * 12 + 4
  const latitude = values
  const longitude = latitude + 24
  const text = longitude + 24
  const tiff = Buffer.concat([
    Buffer.from([0x49, 0x49, 0x2a, 0x00, 0x08, 0x00, 0x00, 0x00]),
    Buffer.from([2, 0]),
    entry(0x010e, ASCII, description.length, text),
    entry(0x8825, LONG, 1, gps),
    Buffer.alloc(4),
    Buffer.from([4, 0]),
    entry(0x0001, ASCII, 2, Buffer.from('N\0\0\0', 'ascii')),
    entry(0x0002, RATIONAL, 3, latitude),
    entry(0x0003, ASCII, 2, Buffer.from('E\0\0\0', 'ascii')),
    entry(0x0004, RATIONAL, 3, longitude),
    Buffer.alloc(4),
    rationals([[51, 1], [18, 1], [4572, 100]]),
    rationals([[9, 1], [28, 1], [4692, 100]]),
    description
  ])
  const payload = Buffer.concat([Buffer.from('Exif\0\0', 'ascii'), tiff])
  const header = Buffer.alloc(4)
  header.writeUInt16BE(0xffe1, 0)
  header.writeUInt16BE(payload.length + 2, 2)
  return Buffer.concat([header, payload])
}

/** `jpeg` with `segment` right after its SOI marker. */
function withSegment (jpeg, segment) {
  assert.equal(jpeg.readUInt16BE(0), 0xffd8, 'a JPEG starts with SOI')
  return Buffer.concat([jpeg.subarray(0, 2), segment, jpeg.subarray(2)])
}

/** The markers of a JPEG's segments before its first scan, with an APP segment's first bytes. */
function segments (jpeg) {
  const found = []
  let at = 2
  while (at + 4 <= jpeg.length && jpeg[at] === 0xff) {
    const marker = jpeg.readUInt16BE(at)
    if (marker === 0xffda) break
    const length = jpeg.readUInt16BE(at + 2)
    found.push({ marker, head: jpeg.subarray(at + 4, at + 4 + 6).toString('latin1') })
    at += 2 + length
  }
  return found
}

function assertClean (bytes, what) {
  assert.equal(bytes.readUInt16BE(0), 0xffd8, `${what} is a JPEG`)
  assert.ok(!bytes.includes(Buffer.from(CANARY, 'ascii')), `${what} does not carry the canary`)
  const app1 = segments(bytes).filter((s) => s.marker === 0xffe1)
  assert.deepEqual(app1, [], `${what} has no APP1 (Exif/XMP) segment`)
  assert.ok(!bytes.includes(Buffer.from('Exif\0\0', 'latin1')), `${what} has no Exif header anywhere`)
}

/** Queued photos in the phone's IndexedDB (device/photo-queue.ts). */
function queuedOnDevice (page) {
  return page.evaluate(() => new Promise((resolve) => {
    const request = indexedDB.open('kartenwand-photos')
    request.onerror = () => resolve(-1)
    request.onsuccess = () => {
      const db = request.result
      if (!db.objectStoreNames.contains('queue')) {
        db.close()
        resolve(0)
        return
      }
      const counting = db.transaction('queue', 'readonly').objectStore('queue').count()
      counting.onsuccess = () => {
        db.close()
        resolve(counting.result)
      }
      counting.onerror = () => resolve(-1)
    }
  }))
}

/** The board's photos as the moderator's token sees them, through the API. */
async function photosOnServer (server, board, token) {
  const response = await fetch(`${server.url}/api/boards/${board}/photos`, { headers: { Authorization: `Bearer ${token}` } })
  assert.equal(response.status, 200)
  return (await response.json()).photos
}

async function photoBytes (server, board, token, photo, query = '') {
  const response = await fetch(`${server.url}/api/boards/${board}/photos/${photo}${query}`, { headers: { Authorization: `Bearer ${token}` } })
  assert.equal(response.status, 200, `GET photo ${photo}${query}`)
  assert.equal(response.headers.get('content-type'), 'image/jpeg')
  return Buffer.from(await response.arrayBuffer())
}

test('a phone photo waits for approval, reaches the projector without its metadata, and one taken offline arrives later', { timeout: TEST_TIMEOUT_MS }, async (t) => {
  const problems = []
  const { server, browser } = await startServerAndBrowser(t)
  const { axeFindings, checkAxe } = axeCollector()

  // ------------------------------------------------ moderator: approval on
  const { mod, board, token } = await createConference(browser, server, problems, { title: 'Werkstatt Kassel', district: 'Nord' })
  const joinUrl = await (await visible(mod.locator('a[href*="/join/"]'), 'join link on the moderator view')).getAttribute('href')
  const presenterUrl = await mod.getByRole('link', { name: 'Leinwand-Ansicht öffnen' }).getAttribute('href')
  await mod.getByRole('button', { name: 'Fotos', exact: true }).click()
  await visible(mod.getByRole('heading', { name: 'Fotos', exact: true }), 'the moderator gallery panel')
  const approval = mod.getByRole('checkbox', { name: 'Fotos von Teilnehmenden erst nach Freigabe zeigen' })
  await approval.check()
  assert.ok(await approval.isChecked(), 'approval is on')

  // ------------------------------------------------ projector
  const projector = await openPage(browser, 'projector', 'projector', problems)
  const screen = projector.page
  await screen.goto(presenterUrl)
  await visible(screen.getByRole('heading', { name: 'Werkstatt Kassel' }), 'the projector shows the board')

  // ------------------------------------------------ phone: join, take a photo
  const phone = await openPage(browser, 'phone', 'phone', problems)
  const page = phone.page
  await page.goto(joinUrl)
  await fillJoinForm(page, { name: 'Ada Weber', organisation: 'Stadt Kassel', sector: 'behoerde' })
  await page.getByRole('button', { name: 'Beitreten' }).tap()
  await visible(page.locator('.topbar .status-online'), 'phone online')
  await page.getByLabel('Ansicht').selectOption({ label: 'Fotos' })
  await visible(page.getByRole('heading', { name: 'Fotos', exact: true }), 'the phone gallery')
  // The phone has the board's flag from the server: the server has it too.
  await visible(page.getByText('Die Moderation gibt neue Fotos frei, bevor alle sie sehen.'), 'the phone says photos are approved first')
  await visible(page.getByText('Sie haben noch keine Fotos geschickt.'), 'no own photos yet')

  const plain = await canvasJpeg(page, 1200, 900, '#1f4f8f')
  const upload = withSegment(plain, exifSegment(CANARY))
  assert.ok(upload.includes(Buffer.from(CANARY)), 'the upload carries the canary')
  assert.deepEqual(segments(upload)[0], { marker: 0xffe1, head: 'Exif\0\0' }, 'the upload starts with an Exif APP1 segment')
  await page.locator('input[type=file][capture=environment]').setInputFiles({ name: 'flipchart.jpg', mimeType: 'image/jpeg', buffer: upload })
  await visible(page.locator('.own-photo[data-state=pending]').getByText('Wartet auf Freigabe'), 'the phone: own photo waits for approval')
  await checkAxe('phone (gallery)', page)
  await screenshot(page, 'gallery-phone')

  // ------------------------------------------------ moderator approves
  const waiting = await visible(mod.locator('.moderator-photo[data-status=pending]').first(), 'the moderator sees the photo waiting (polled)')
  await visible(mod.getByRole('heading', { name: 'Warten auf Freigabe (1)' }), 'one photo waits')
  await visible(waiting.locator('img'), 'the waiting photo as a thumbnail')
  assert.match(await waiting.innerText(), /von Ada Weber/, 'the moderator sees who took it')
  await checkAxe('moderator (gallery)', mod)
  await screenshot(mod, 'gallery-moderator')
  await waiting.getByRole('button', { name: 'Freigeben' }).click()
  await visible(mod.locator('.moderator-photo[data-status=shown]'), 'the photo is shown after approval')
  await waitFor(async () => (await mod.getByRole('heading', { name: /Warten auf Freigabe/ }).count()) === 0, 'nothing waits any more')
  await visible(page.locator('.own-photo[data-state=shown]').getByText('Für alle sichtbar'), 'the phone sees its photo shown (polled)')
  await visible(page.getByRole('button', { name: 'Foto 1 von 1 groß zeigen' }), 'the phone gallery has the shown photo')

  // ------------------------------------------------ projector slideshow
  // The bytes the projector receives for the slide, taken on their way in
  // (the page's CSP lets no script fetch the slide's blob: URL).
  const slideBodies = []
  await screen.route(/\/api\/boards\/[^/]+\/photos\/[^/?]+$/, async (route) => {
    const response = await route.fetch()
    slideBodies.push(Buffer.from(await response.body()))
    await route.fulfill({ response })
  })
  // A countdown runs above the slideshow: the photo takes what is left.
  await mod.getByRole('button', { name: 'Timer starten' }).click()
  await visible(screen.locator('.phase-bar'), 'the countdown on the projector')
  await mod.getByRole('button', { name: 'Fotos auf der Leinwand zeigen' }).click()
  await visible(screen.locator('.slide-position').getByText('1/1', { exact: true }), 'the projector slideshow: 1/1')
  const slide = await visible(screen.getByRole('img', { name: 'Foto 1 von 1' }), 'the slide with its alt text')
  await waitFor(() => slide.evaluate((img) => img instanceof HTMLImageElement && img.complete && img.naturalWidth > 0), 'the slide image decoded')
  const fits = await screen.evaluate(() => {
    const bottom = document.querySelector('.slide-position')?.getBoundingClientRect().bottom ?? Infinity
    const fit = document.querySelector('.presenter')?.style.getPropertyValue('--fit') ?? ''
    return { bottom, height: window.innerHeight, fit }
  })
  assert.ok(fits.bottom <= fits.height, `the slideshow fits the projector: ${JSON.stringify(fits)}`)
  assert.ok(fits.fit === '' || fits.fit === '1', `the projector's type is not shrunk for the photo: ${JSON.stringify(fits)}`)
  await checkAxe('projector (slideshow)', screen)
  await screenshot(screen, 'gallery-projector')
  assert.match(await slide.getAttribute('src'), /^blob:/, 'the slide shows an object URL: no token in an image URL')
  assert.equal(slideBodies.length, 1, 'the projector fetched the photo once')
  const shown = slideBodies[0]
  assertClean(shown, 'the image on the projector')
  const [stored] = await photosOnServer(server, board, token)
  assert.equal(stored.status, 'shown')
  assertClean(await photoBytes(server, board, token, stored.photo), 'the stored photo')
  assertClean(await photoBytes(server, board, token, stored.photo, '?size=thumbnail'), 'the stored thumbnail')
  assert.ok(shown.equals(await photoBytes(server, board, token, stored.photo)), 'the projector shows the stored photo')

  // A remote attendee with the watch link follows the projector to the photos.
  const watchUrl = await mod.locator('a[href*="/watch#token="]').getAttribute('href')
  const watcher = await openPage(browser, 'laptop', 'watch', problems)
  await watcher.page.goto(watchUrl)
  await visible(watcher.page.locator('.follow-display .slide-position').getByText('1/1', { exact: true }), 'the watch view follows to the slideshow')
  await visible(watcher.page.getByRole('img', { name: 'Foto 1 von 1' }), 'the watch view shows the photo')
  await checkAxe('watch (slideshow)', watcher.page)
  await watcher.context.close()

  // ------------------------------------------------ a photo taken offline
  await waitFor(() => page.evaluate(async () => (await navigator.serviceWorker.ready).active !== null), 'the service worker is active on the phone')
  await phone.context.setOffline(true)
  await visible(page.locator('.topbar .status-offline'), 'the phone shows that it is offline')
  const second = withSegment(await canvasJpeg(page, 800, 600, '#a3211b'), exifSegment(CANARY))
  await page.locator('input[type=file][capture=environment]').setInputFiles({ name: 'pinnwand.jpg', mimeType: 'image/jpeg', buffer: second })
  await visible(page.locator('.own-photo[data-state=waiting]').getByText('Wartet auf Verbindung'), 'the offline photo waits for a connection')
  await visible(page.getByText('Foto auf diesem Gerät gespeichert.', { exact: false }), 'the phone says the photo is saved on the device')
  assert.equal(await queuedOnDevice(page), 1, 'the photo is in IndexedDB')

  const reloaded = await reloadOffline(page)
  assert.ok(reloaded?.fromServiceWorker(), 'the offline reload was answered by the service worker')
  await visible(page.locator('.topbar .status-offline'), 'the phone is still offline after the reload')
  await page.getByLabel('Ansicht').selectOption({ label: 'Fotos' })
  await visible(page.locator('.own-photo[data-state=waiting]'), 'the offline photo survived the reload')
  assert.equal(await queuedOnDevice(page), 1, 'still one photo on the device')
  assert.equal((await photosOnServer(server, board, token)).length, 1, 'nothing arrived while offline')

  await backOnline(page)
  await visible(page.locator('.topbar .status-online'), 'the phone is online again')
  await visible(mod.getByRole('heading', { name: 'Alle Fotos (2)' }), 'the moderator lists two photos')
  await visible(mod.locator('.moderator-photo[data-status=pending]'), 'the second photo waits for approval')
  await waitFor(async () => (await queuedOnDevice(page)) === 0, 'the sent photo left the device')
  await visible(page.locator('.own-photo[data-state=pending]'), 'the phone: the second photo waits for approval')
  const photos = await photosOnServer(server, board, token)
  assert.equal(photos.length, 2)
  for (const photo of photos) assertClean(await photoBytes(server, board, token, photo.photo), `photo ${photo.photo}`)

  // The documentation holds the approved photo as stored (no metadata), not the one still waiting.
  const approved = await photoBytes(server, board, token, stored.photo)
  const pending = photos.find((photo) => photo.photo !== stored.photo)
  const waitingBytes = await photoBytes(server, board, token, pending.photo)
  for (const format of ['html', 'pdf', 'json']) {
    const response = await fetch(`${server.url}/api/boards/${board}/export.${format}`, { headers: { Authorization: `Bearer ${token}` } })
    assert.equal(response.status, 200, `export.${format}`)
    const bytes = Buffer.from(await response.arrayBuffer())
    const holds = (jpeg) => format === 'pdf' ? bytes.includes(jpeg) : bytes.includes(Buffer.from(jpeg.toString('base64')))
    assert.ok(holds(approved), `export.${format} holds the approved photo as stored`)
    assert.ok(!holds(waitingBytes), `export.${format} leaves out the photo awaiting approval`)
    assert.ok(!bytes.includes(Buffer.from(CANARY, 'ascii')), `export.${format} does not carry the canary`)
  }

  assert.deepEqual(problems, [], 'no uncaught errors or unexpected dialogs')
  assert.deepEqual(axeFindings, [], axeFindings.join('\n'))
})

test('the event page shows the shown photos of every board of the event', { timeout: TEST_TIMEOUT_MS }, async (t) => {
  const problems = []
  const { server, browser } = await startServerAndBrowser(t)
  const { axeFindings, checkAxe } = axeCollector()
  const created = await (await fetch(`${server.url}/api/events`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({
      title: 'Kommunen im Dialog',
      date: '2027-03-31',
      boards: [{ title: 'Plenum', kind: 'plenary' }, { title: 'Workshop Wohnen', kind: 'workshop' }]
    })
  })).json()
  const [, workshop] = created.boards

  const phone = await openPage(browser, 'phone', 'phone', problems)
  const page = phone.page
  await page.goto(created.join_url)
  // The workshop's moderator adds two photos and hides one (through the API).
  const send = async (colour) => {
    const response = await fetch(`${server.url}/api/boards/${workshop.board}/photos`, {
      method: 'POST',
      headers: { Authorization: `Bearer ${workshop.moderator_token}`, 'Content-Type': 'image/jpeg' },
      body: await canvasJpeg(page, 900, 600, colour)
    })
    assert.equal(response.status, 201)
    return (await response.json()).photo
  }
  await send('#1d6b35')
  const hidden = await send('#a3211b')
  const hiding = await fetch(`${server.url}/api/boards/${workshop.board}/photos/${hidden}`, {
    method: 'POST',
    headers: { Authorization: `Bearer ${workshop.moderator_token}`, 'Content-Type': 'application/json' },
    body: JSON.stringify({ status: 'hidden' })
  })
  assert.equal(hiding.status, 204)

  await visible(page.getByRole('heading', { name: 'Mitmachen' }), 'the event join form')
  await fillJoinForm(page, { name: 'Bea Krause', organisation: 'Gemeinde Calden', sector: 'behoerde' })
  await page.getByRole('button', { name: 'Beitreten' }).tap()
  await page.waitForURL(new RegExp(`/e/${created.event}$`))
  await visible(page.locator('.topbar .status-online'), 'the phone on the plenary board')
  // The photos of the workshop, which this phone is not in.
  await page.getByText('Fotos der Veranstaltung', { exact: true }).tap()
  const thumbnail = await visible(page.getByRole('button', { name: 'Foto 1 von 1 groß zeigen' }), 'the shown photo as a thumbnail')
  await visible(page.locator('.event-gallery .photo-caption').getByText('aus Workshop Wohnen', { exact: true }), 'the board it comes from')
  await thumbnail.tap()
  const large = await visible(page.locator('.photo-large').getByRole('img', { name: 'Foto 1 von 1' }), 'the photo large')
  await waitFor(() => large.evaluate((img) => img instanceof HTMLImageElement && img.complete && img.naturalWidth > 0), 'the large photo decoded')
  await checkAxe('phone (event photos)', page)
  await screenshot(page, 'gallery-event-phone')
  await page.getByRole('button', { name: 'Schließen' }).press('Enter')
  await waitFor(() => page.evaluate(() => document.activeElement?.getAttribute('aria-label') === 'Foto 1 von 1 groß zeigen'), 'the focus back on the thumbnail')

  assert.deepEqual(problems, [], 'no uncaught errors or unexpected dialogs')
  assert.deepEqual(axeFindings, [], axeFindings.join('\n'))
})
