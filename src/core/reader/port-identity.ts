/** What the OS tells about a serial port (as `SerialPort.list()` gives it). */
export interface PortInfo {
  readonly path: string
  readonly manufacturer?: string | undefined
  readonly serialNumber?: string | undefined
  readonly vendorId?: string | undefined
  readonly productId?: string | undefined
  readonly friendlyName?: string | undefined
}

/** The identity of a USB reader, remembered so it can be found again when the OS gives it a new path. */
export interface PortIdentity {
  readonly path: string
  readonly serialNumber?: string | undefined
  readonly vendorId?: string | undefined
  readonly productId?: string | undefined
}

/**
 * Where the reader is now: the same path if it is still listed (or not a listable port at all, like a PTY);
 * otherwise the port with the same USB serial number; otherwise the only port with the same vendor/product id.
 */
export function findPortPath(identity: PortIdentity, ports: readonly PortInfo[]): string {
  if (ports.some(p => p.path === identity.path)) return identity.path
  if (identity.serialNumber) {
    const bySerial = ports.find(p => p.serialNumber === identity.serialNumber)
    if (bySerial) return bySerial.path
  }
  if (identity.vendorId && identity.productId) {
    const same = ports.filter(
      p =>
        p.vendorId?.toLowerCase() === identity.vendorId?.toLowerCase() &&
        p.productId?.toLowerCase() === identity.productId?.toLowerCase()
    )
    if (same.length === 1 && same[0]) return same[0].path
  }
  return identity.path
}

/** A readable name for the wizard: "COM3 — FTDI FT232R (0403:6001, serial A1B2C3)". */
export function describePort(port: PortInfo): string {
  const ids = port.vendorId && port.productId ? `${port.vendorId}:${port.productId}` : null
  const extra = [
    port.manufacturer ?? port.friendlyName,
    ids ? `(${ids}${port.serialNumber ? `, serial ${port.serialNumber}` : ''})` : null
  ]
    .filter(Boolean)
    .join(' ')
  return extra ? `${port.path} — ${extra}` : port.path
}
