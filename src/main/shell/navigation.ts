import { shell, type WebContents } from 'electron'
import { isAllowedExternal } from './window-options'

/** No new windows, no navigation away; allowed links go to the system browser. */
export function lockNavigation(contents: WebContents): void {
  contents.setWindowOpenHandler(({ url }) => {
    if (isAllowedExternal(url)) void shell.openExternal(url)
    return { action: 'deny' }
  })
  contents.on('will-navigate', event => event.preventDefault())
  contents.on('will-attach-webview', event => event.preventDefault())
}
