/** A labelled text input whose accessible name is its label. */
export function Field(props: {
  readonly label: string
  readonly value: string
  readonly onChange: (value: string) => void
  readonly size?: number
  readonly numeric?: boolean
  readonly placeholder?: string
}): React.JSX.Element {
  return (
    <label>
      {props.label}
      <input
        aria-label={props.label}
        inputMode={props.numeric ? 'numeric' : undefined}
        value={props.value}
        placeholder={props.placeholder}
        onChange={e => props.onChange(e.target.value)}
        size={props.size}
      />
    </label>
  )
}
