'use client';

import { Check, Copy } from 'lucide-react';
import { useState } from 'react';
import { Button } from '@/components/ui/button';

/** Copies `text` to the clipboard and says so (visibly and to screen readers). */
export function CopyButton({ text, label }: { text: string; label: string }) {
  const [copied, setCopied] = useState(false);
  async function copy() {
    try {
      await navigator.clipboard.writeText(text);
    } catch {
      // Clipboard access can be refused (insecure origin); select-and-copy still works.
      return;
    }
    setCopied(true);
    setTimeout(() => { setCopied(false); }, 1_500);
  }
  return (
    <Button type="button" variant="outline" size="sm" onClick={() => void copy()} aria-label={copied ? `Copied ${label}` : `Copy ${label}`}>
      {copied ? <Check aria-hidden /> : <Copy aria-hidden />}
      <span aria-live="polite">{copied ? 'Copied' : 'Copy'}</span>
    </Button>
  );
}
