/** A label around an input whose accessible name is the label. */
function LabelledInput({
  label,
  ...input
}: { readonly label: string } & React.InputHTMLAttributes<HTMLInputElement>): React.JSX.Element {
  return (
    <label>
      {label}
      <input aria-label={label} {...input} />
    </label>
  )
}

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
    <LabelledInput
      label={props.label}
      inputMode={props.numeric ? 'numeric' : undefined}
      value={props.value}
      placeholder={props.placeholder}
      onChange={e => props.onChange(e.target.value)}
      size={props.size}
    />
  )
}

/** A labelled number input whose accessible name is its label. */
export function NumberField(props: {
  readonly label: string
  readonly value: number
  readonly min: number
  readonly max?: number
  readonly onChange: (value: number) => void
}): React.JSX.Element {
  return (
    <LabelledInput
      label={props.label}
      type="number"
      min={props.min}
      max={props.max}
      value={props.value}
      onChange={e => props.onChange(Number(e.target.value))}
      style={{ width: '5em' }}
    />
  )
}
