/**
 * The reader protocols the station decodes: the one list that the contract, the settings, the command line,
 * the decoders and the setup screen all read.
 */
export const PROTOCOLS = ['line', 'r2000', 'rrbox', 'timy', 'chafon'] as const
export type Protocol = (typeof PROTOCOLS)[number]

/**
 * What each protocol reads, by the product's own name (not translated: these are names). `line` is no product
 * but a way of reading (a scanner, a keypad): the screens describe it in their own language.
 */
export const PROTOCOL_PRODUCTS: Record<Protocol, string | null> = {
  line: null,
  r2000: 'Impinj R2000 UHF module',
  rrbox: 'RACE RESULT USB Timing Box',
  timy: 'ALGE Timy',
  chafon: 'Chafon UHFReader288'
}

/** The usual serial settings of each reader family (the first is the factory default). */
export const USUAL_BAUDS: Record<Protocol, readonly number[]> = {
  line: [9600, 115200, 19200, 38400],
  r2000: [115200, 38400],
  rrbox: [19200],
  timy: [9600, 38400, 19200, 2400, 4800],
  chafon: [57600, 115200, 9600]
}

/** The serial speeds the station accepts (screens, settings, command line). */
export const BAUD_RANGE = { min: 300, max: 1_000_000 } as const

export function isProtocol(value: string): value is Protocol {
  return (PROTOCOLS as readonly string[]).includes(value)
}
