// The keyboard: a key press anywhere on the page runs its command, unless typed into a field
// (only Escape acts there) or taken by the browser (modifiers). The digits 1–9 choose among
// the open approval's options.
import { useEffect } from 'react';
import { Command, KeyMode, commandFor, optionDigitFor } from '../keys';
import { Panel } from './use-decision-form';

export function useInboxKeys(panel: Panel, run: (command: Command) => void, chooseOption: (digit: number) => void): void {
  // Registered again on every render, on purpose: `run` and `chooseOption` read this render's state.
  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      const target = e.target as HTMLElement | null;
      const typing = !!target && (target.tagName === 'INPUT' || target.tagName === 'TEXTAREA' || target.isContentEditable);
      const mode: KeyMode = typing ? 'form' : panel === 'batch' || panel === 'help' ? 'dialog' : 'browse';
      const modifiers = { ctrl: e.ctrlKey, alt: e.altKey, meta: e.metaKey };
      const command = commandFor(e.key, mode, modifiers);
      if (command !== null) {
        e.preventDefault();
        return run(command);
      }
      const digit = optionDigitFor(e.key, mode, modifiers);
      if (digit === null) return;
      e.preventDefault();
      chooseOption(digit);
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  });
}
