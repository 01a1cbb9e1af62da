import { join } from 'node:path'
import { SerialPort } from 'serialport'
import { afterEach, describe, expect, it } from 'vitest'
import { newPage, screenshot } from '../helpers/browser'
import { emulator, KEYS } from '../helpers/emulator'
import { spawnTs } from '../helpers/process'
import { ptyPair } from '../helpers/pty'
import { tempFolder } from '../helpers/station'
import { headlessArgs } from '../helpers/headless-args'

const cleanups: Array<() => Promise<unknown>> = []
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup()
})

describe('the station in a real browser', () => {
  it(
    'completes the wizard, shows passings within a second, records a manual bib and closes the session',
    { timeout: 90_000 },
    async () => {
      const folder = tempFolder('rufus-e2e-')
      const cloud = await emulator()
      const pty = await ptyPair(folder)
      cleanups.push(() => pty.stop())
      const station = spawnTs(
        'src/headless/cli.ts',
        headlessArgs(join(folder, 'data'), pty.a, ['--http-port', '0', '--upload-grace', '0']),
        {
          RUFUS_API_KEY: ''
        }
      )
      cleanups.push(async () => {
        station.child.kill('SIGTERM')
        await station.exited()
      })
      const url = (await station.waitForLine(/^open http/)).replace('open ', '')
      const reader = new SerialPort({ path: pty.b, baudRate: 9600, autoOpen: false })
      await new Promise<void>((resolve, reject) => reader.open(error => (error ? reject(error) : resolve())))
      cleanups.push(() => new Promise(resolve => reader.close(resolve)))

      const page = await newPage()
      await page.goto(url)
      // Not configured yet: the station opens on the wizard.
      await page.getByRole('textbox', { name: 'API address' }).fill(cloud.apiUrl)
      await page.getByLabel('API key').fill(KEYS.readWrite.apiKey)
      await page.getByRole('button', { name: 'Check the key' }).click()
      await expect
        .poll(() => page.getByTestId('key-permissions').textContent())
        .toMatch(/can read and write; unbinding needs a key with "Allow Unbind Device"/)
      await page.getByRole('button', { name: 'Save and continue' }).click()
      await page.getByRole('button', { name: 'Bind this station as a new device' }).click()
      await expect.poll(() => page.getByRole('heading', { level: 2 }).nth(1).textContent()).toMatch(/^✓ 2\./)
      await expect.poll(() => page.getByRole('heading', { level: 2 }).nth(2).textContent()).toMatch(/^✓ 3\./)
      reader.write('4242\r\n')
      await expect.poll(() => page.getByTestId('live-test').textContent()).toContain('4242')
      await screenshot(page, 'setup')
      await page.getByRole('textbox', { name: 'Name of the session' }).fill('FINISH 10K')
      await page.getByRole('button', { name: 'Open a new session' }).click()
      await expect.poll(() => page.getByLabel('Sync status').textContent()).toContain('FINISH 10K')

      // A read on the serial line is on screen within a second.
      const written = Date.now()
      reader.write('1001\r\n')
      await page.locator('td.bib', { hasText: /^1001$/ }).waitFor()
      expect(Date.now() - written).toBeLessThan(1000)

      await page.getByRole('textbox', { name: /^Bib \(Enter records/ }).fill('777')
      await page.keyboard.press('Enter')
      const manual = page.locator('tr', { has: page.locator('td.bib', { hasText: /^777$/ }) })
      await expect.poll(() => manual.textContent()).toContain('manual')
      await expect
        .poll(() => page.getByTestId('sync-counts').textContent())
        .toMatch(/^3 in the cloud · 0 waiting/)
      await screenshot(page, 'live')

      await page.getByRole('button', { name: 'Sessions & device' }).click()
      await page.getByRole('button', { name: 'Close this session' }).click()
      await page.getByRole('alertdialog').getByRole('button', { name: 'Close only' }).click()
      await expect
        .poll(() => page.getByRole('table', { name: 'Sessions & device' }).textContent())
        .toMatch(/FINISH 10Kclosed/)
      // The station's own screen shows the entry and viewer URLs as QR codes, for phones.
      expect(await page.locator('section.pairing svg').count()).toBe(2)
      await screenshot(page, 'sessions')
    }
  )
})
