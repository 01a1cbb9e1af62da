/** A request the station refuses on purpose, with a message a timer can act on (not a fault). */
export class NotPossible extends Error {
  override readonly name = 'NotPossible'
}
