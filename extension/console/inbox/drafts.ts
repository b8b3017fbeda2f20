import { useState } from "react";

// A reply being written survives a reload and logging out and in again: it is kept in
// localStorage per member and chat (the session token itself stays per tab), and removed once sent.

const draftKey = (memberId: string, chatId: string) => `switchboard.draft.${memberId}.${chatId}`;

function readDraft(key: string): string {
  try {
    return localStorage.getItem(key) ?? "";
  } catch {
    return ""; // storage blocked: the draft lives only as long as the page
  }
}

function writeDraft(key: string, text: string): void {
  try {
    if (text) localStorage.setItem(key, text);
    else localStorage.removeItem(key);
  } catch {
    // storage full or blocked: the draft lives only as long as the page
  }
}

/** The member's draft for one chat: [text, change it, forget it (after sending)]. */
export function useDraft(memberId: string, chatId: string): [string, (text: string) => void, () => void] {
  const key = draftKey(memberId, chatId);
  const [text, setText] = useState(() => readDraft(key));
  const change = (next: string) => {
    setText(next);
    writeDraft(key, next);
  };
  const clear = () => change("");
  return [text, change, clear];
}
