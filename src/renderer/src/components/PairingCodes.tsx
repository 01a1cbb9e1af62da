import { QRCodeSVG } from 'qrcode.react'
import { useEffect, useState } from 'react'
import { stationApi } from '../api'
import { useText } from '../i18n'

/**
 * The entry and viewer pairing URLs as QR codes, for phones at the line and the announcer. Shown only on the
 * station's own screen (the command is refused to other roles), and only by the headless station (the desktop
 * app serves no screens).
 */
export function PairingCodes(): React.JSX.Element | null {
  const t = useText()
  const [urls, setUrls] = useState<{ entry: string; viewer: string } | null>(null)
  useEffect(() => {
    void stationApi()
      .pairingUrls({})
      .then(result => setUrls(result.ok ? result.value : null))
  }, [])
  if (!urls) return null
  return (
    <section className="pairing" aria-label={t('pairScreens')}>
      <h2>{t('pairScreens')}</h2>
      <figure>
        <QRCodeSVG value={urls.entry} size={160} marginSize={2} title={t('pairEntry')} />
        <figcaption>{t('pairEntry')}</figcaption>
      </figure>
      <figure>
        <QRCodeSVG value={urls.viewer} size={160} marginSize={2} title={t('pairViewer')} />
        <figcaption>{t('pairViewer')}</figcaption>
      </figure>
    </section>
  )
}
