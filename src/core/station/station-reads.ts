import type { Journal } from '../journal/journal'
import type { ScreenCloud } from '../rufus/limited-cloud'

/**
 * What the journal may be asked through the station: reads only. Every write goes through a station method, so
 * that it is reported, mirrored to the CSV copy and seen by sync (`station.records`).
 */
export type StationRecords = Pick<
  Journal,
  | 'device'
  | 'sessions'
  | 'session'
  | 'openedSession'
  | 'knowsCloudToken'
  | 'passing'
  | 'passingsOfSession'
  | 'latestPassings'
  | 'heldPassings'
  | 'hasBib'
  | 'sessionTimeRange'
  | 'counts'
  | 'suppressions'
  | 'corrections'
  | 'latestCorrection'
  | 'afterSyncDifference'
  | 'participantName'
  | 'participantBibs'
  | 'isParticipantBib'
>

/**
 * What a screen may read from RUFUS Cloud through the station (`station.cloudReads`): behind the request ceiling,
 * after the uploads. Binding and unbinding the device are station methods, not reads.
 */
export type CloudReads = Pick<
  ScreenCloud,
  'sessionsOfDevice' | 'sessionPassings' | 'devicePassings' | 'listDevices' | 'deviceInfo'
>
