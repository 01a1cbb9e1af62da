import { safeStorage } from 'electron'
import type { Encryption } from '../../core/settings/key-store'

/** Electron's safeStorage as the key store's encryption (Keychain, DPAPI, libsecret/kwallet). */
export const electronEncryption: Encryption = {
  isAvailable: () => safeStorage.isEncryptionAvailable(),
  backend: () => (process.platform === 'linux' ? safeStorage.getSelectedStorageBackend() : process.platform),
  encrypt: plain => safeStorage.encryptString(plain),
  decrypt: cipher => safeStorage.decryptString(cipher)
}
