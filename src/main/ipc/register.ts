import { ipcMain, type IpcMainInvokeEvent, type WebContents } from 'electron'
import { handleCommand } from '../../core/app/command-handler'
import type { StationService } from '../../core/app/station-service'
import { IPC_INVOKE, IPC_UPDATE } from '../../shared/ipc-channels'

/** Whether an invoke comes from our window's main frame showing our own page. */
export function isTrustedSender(
  event: Pick<IpcMainInvokeEvent, 'sender' | 'senderFrame'>,
  window: WebContents | null,
  ownPageUrl: string
): boolean {
  if (!window || event.sender.id !== window.id) return false
  const frame = event.senderFrame
  return frame !== null && frame === window.mainFrame && frame.url.startsWith(ownPageUrl)
}

/**
 * The IPC layer: one invoke channel, checked sender, arguments validated by the shared handler before anything
 * reaches the core; coalesced updates pushed to the window. Returns the function that removes it all.
 */
export function registerIpc(
  service: StationService,
  window: () => WebContents | null,
  ownPageUrl: () => string
): () => void {
  ipcMain.handle(IPC_INVOKE, async (event, name: unknown, args: unknown) => {
    if (!isTrustedSender(event, window(), ownPageUrl())) {
      return {
        ok: false,
        error: { code: 'forbidden', message: { code: 'screen.untrusted-sender', params: {} } }
      }
    }
    return handleCommand(service, 'station', name, args)
  })
  const unsubscribe = service.subscribe(update => {
    const contents = window()
    if (contents && !contents.isDestroyed()) contents.send(IPC_UPDATE, update)
  }, 'station')
  return () => {
    ipcMain.removeHandler(IPC_INVOKE)
    unsubscribe()
  }
}
