import { readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { KeyStore, type Encryption, type KeyRecord } from '../../src/core/settings/key-store'
import { openSettings } from '../../src/core/settings/settings-store'
import { isAllowedExternal } from '../../src/main/shell/window-options'
import { tempFolder } from '../helpers/station'

function fakeEncryption(available: boolean, backend = 'gnome_libsecret'): Encryption & { calls: number } {
  const fake = {
    calls: 0,
    isAvailable: () => available,
    backend: () => backend,
    encrypt(plain: string) {
      fake.calls += 1
      return Buffer.from([...Buffer.from(plain)].map(b => b ^ 0x5a))
    },
    decrypt: (cipher: Buffer) => Buffer.from([...cipher].map(b => b ^ 0x5a)).toString()
  }
  return fake
}

function recordIn(): { get(): KeyRecord; set(v: KeyRecord): void; value: KeyRecord } {
  const holder = {
    value: { encryptedApiKey: '', keyBackend: '' },
    get: () => holder.value,
    set: (v: KeyRecord) => (holder.value = v)
  }
  return holder
}

describe('the API key at rest', () => {
  it('is stored only encrypted, and read back', () => {
    const encryption = fakeEncryption(true)
    const record = recordIn()
    const store = new KeyStore(encryption, record)
    expect(store.save('ror-secret')).toBe('encrypted')
    expect(record.value.encryptedApiKey).not.toContain('ror-secret')
    expect(Buffer.from(record.value.encryptedApiKey, 'base64').toString()).not.toContain('ror-secret')
    expect(new KeyStore(encryption, record).load()).toBe('ror-secret')
  })

  it('stays in memory only where the OS offers no real encryption (no encryption, or basic_text)', () => {
    for (const encryption of [fakeEncryption(false), fakeEncryption(true, 'basic_text')]) {
      const record = recordIn()
      const store = new KeyStore(encryption, record)
      expect(store.save('ror-secret')).toBe('memory')
      expect(encryption.calls).toBe(0)
      expect(record.value.encryptedApiKey).toBe('')
      expect(store.load()).toBe('ror-secret')
      expect(new KeyStore(encryption, record).load()).toBeNull()
    }
  })

  it('does not read back a key encrypted by another backend', () => {
    const record = recordIn()
    new KeyStore(fakeEncryption(true, 'kwallet5'), record).save('ror-secret')
    expect(new KeyStore(fakeEncryption(true, 'gnome_libsecret'), record).load()).toBeNull()
  })
})

describe('settings on conf', () => {
  it('has defaults, validates against its schema, and keeps no key in plain text', () => {
    const folder = tempFolder()
    const settings = openSettings(folder)
    expect(settings.get('apiUrl')).toBe('https://api.runonrufus.com/v0')
    expect(() => settings.set('language', 'fr' as 'en')).toThrow(/language/)
    settings.set('readers', [{ path: 'COM3', protocol: 'r2000', baudRate: 115200 }])
    expect(openSettings(folder).get('readers')).toEqual([
      { path: 'COM3', protocol: 'r2000', baudRate: 115200 }
    ])
    expect(readFileSync(join(folder, 'settings.json'), 'utf8')).not.toMatch(/ror-/)
  })
})

describe('window helpers', () => {
  it('opens only allow-listed external pages', () => {
    expect(isAllowedExternal('https://help.runonrufus.com/public-api')).toBe(true)
    expect(isAllowedExternal('https://help.runonrufus.com.evil.example/')).toBe(false)
    expect(isAllowedExternal('file:///etc/passwd')).toBe(false)
  })
})

describe('settings migrations', () => {
  it('repairs settings written by an older version', () => {
    const folder = tempFolder()
    writeFileSync(
      join(folder, 'settings.json'),
      JSON.stringify({ apiUrl: 'http://127.0.0.1:4100/v0', readers: 'COM3' })
    )
    const settings = openSettings(folder)
    expect(settings.get('readers')).toEqual([])
    expect(settings.get('apiUrl')).toBe('http://127.0.0.1:4100/v0')
  })
})
