import { KEYMAP, OPTION_KEYS } from '../keys';

/** Every key and what it does. */
export function KeysHelp({ onClose }: { onClose: () => void }) {
  return (
    <div className="dialog" role="dialog" aria-label="Keyboard help">
      <h2>Keys</h2>
      <dl className="keys">
        {KEYMAP.map((k) => (
          <div key={k.key}>
            <dt>
              <kbd>{k.key}</kbd>
            </dt>
            <dd>{k.label}</dd>
          </div>
        ))}
        <div>
          <dt>
            <kbd>{OPTION_KEYS.key}</kbd>
          </dt>
          <dd>{OPTION_KEYS.label}</dd>
        </div>
      </dl>
      <button type="button" autoFocus onClick={onClose}>
        Close (Esc)
      </button>
    </div>
  );
}
