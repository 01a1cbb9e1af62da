export function App(): React.JSX.Element {
  const runtime = window.station?.runtime ?? 'browser'
  return (
    <main aria-label="RUFUS Station">
      <h1>RUFUS Station</h1>
      <p>Running in: {runtime}</p>
    </main>
  )
}
