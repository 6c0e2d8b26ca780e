// The keyboard: a key press anywhere on the page runs its command, unless typed into a field
// (only Escape acts there) or taken by the browser (modifiers).
import { useEffect } from 'react';
import { Command, commandFor } from '../keys';
import { Panel } from './use-decision-form';

export function useInboxKeys(panel: Panel, run: (command: Command) => void): void {
  // Registered again on every render, on purpose: `run` reads this render's state.
  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      const target = e.target as HTMLElement | null;
      const typing = !!target && (target.tagName === 'INPUT' || target.tagName === 'TEXTAREA' || target.isContentEditable);
      const command = commandFor(e.key, typing ? 'form' : panel === 'batch' || panel === 'help' ? 'dialog' : 'browse', {
        ctrl: e.ctrlKey,
        alt: e.altKey,
        meta: e.metaKey,
      });
      if (command === null) return;
      e.preventDefault();
      run(command);
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  });
}
