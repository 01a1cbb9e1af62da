/** How long passings typed or corrected by a person (or, with `allPassings`, every passing) wait before upload. */
export interface UploadGraceSetting {
  readonly graceMs: number
  readonly allPassings: boolean
}

/** A few seconds: long enough to fix a typo before it goes up, short enough for live results. */
export const DEFAULT_UPLOAD_GRACE: UploadGraceSetting = { graceMs: 5000, allPassings: false }
