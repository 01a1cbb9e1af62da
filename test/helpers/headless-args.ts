/** An address where no RUFUS Cloud answers: the station works offline. */
export const OFFLINE_API_URL = 'http://127.0.0.1:9/v0'

/** The headless station's command line for a data folder and a serial port, plus any further flags. */
export function headlessArgs(
  data: string,
  serial: string,
  extra: readonly string[] = [],
  apiUrl = OFFLINE_API_URL
): string[] {
  return ['--headless', '--data', data, '--api-url', apiUrl, '--serial', serial, ...extra]
}
