import { logIgnored } from '../platform/log-ignored'

/** The OS encryption the desktop app uses for the API key (Electron safeStorage in practice). */
export interface Encryption {
  isAvailable(): boolean
  /** e.g. "basic_text" on Linux without a keyring, which is not real encryption. */
  backend(): string
  encrypt(plain: string): Buffer
  decrypt(cipher: Buffer): string
}

export interface KeyRecord {
  encryptedApiKey: string
  keyBackend: string
}

/**
 * Keeps the API key encrypted at rest, or only in memory where the OS offers no real encryption (then the
 * station says so). The key is never written in plain text and never leaves the main process.
 */
export class KeyStore {
  #memoryKey: string | null = null

  constructor(
    private readonly encryption: Encryption,
    private readonly record: { get(): KeyRecord; set(value: KeyRecord): void }
  ) {}

  /** Whether a saved key can be encrypted for real here. */
  get canPersist(): boolean {
    return this.encryption.isAvailable() && this.encryption.backend() !== 'basic_text'
  }

  save(apiKey: string): 'encrypted' | 'memory' {
    if (!this.canPersist) {
      this.#memoryKey = apiKey
      this.record.set({ encryptedApiKey: '', keyBackend: '' })
      return 'memory'
    }
    this.#memoryKey = null
    this.record.set({
      encryptedApiKey: this.encryption.encrypt(apiKey).toString('base64'),
      keyBackend: this.encryption.backend()
    })
    return 'encrypted'
  }

  /** The key, or null if none is kept (or the OS backend changed and it cannot be read back). */
  load(): string | null {
    if (this.#memoryKey !== null) return this.#memoryKey
    const { encryptedApiKey, keyBackend } = this.record.get()
    if (!encryptedApiKey || !this.encryption.isAvailable() || keyBackend !== this.encryption.backend()) {
      return null
    }
    try {
      return this.encryption.decrypt(Buffer.from(encryptedApiKey, 'base64'))
    } catch (error) {
      logIgnored('the kept API key could not be decrypted (enter it again)', error)
      return null
    }
  }
}
