/** The only two IPC channels: commands go in through one, coalesced updates come out through the other. */
export const IPC_INVOKE = 'rufus-station:invoke'
export const IPC_UPDATE = 'rufus-station:update'
