import { useEffect, useState } from "react";
import { SelectField } from "../shared/fields";
import { type ChatFilters, type ChatView, chatViews, type WhatsAppAccount } from "./types";

const viewLabels: Record<ChatView, string> = { all: "All", mine: "Mine", unassigned: "Unassigned" };
const searchDelayMs = 300;

type ChatFilterBarProps = {
  filters: ChatFilters;
  accounts: WhatsAppAccount[];
  /** The views that can ever show something to this member (no Unassigned for one who sees only chats assigned to them). */
  views?: readonly ChatView[];
  onChange(filters: ChatFilters): void;
};

/** All / Mine / Unassigned, the account, and a search that waits for the member to stop typing. */
export function ChatFilterBar({ filters, accounts, views = chatViews, onChange }: ChatFilterBarProps) {
  const [search, setSearch] = useState(filters.q);
  useEffect(() => {
    if (search === filters.q) return;
    const timer = setTimeout(() => onChange({ ...filters, q: search }), searchDelayMs);
    return () => clearTimeout(timer);
  }, [search, filters, onChange]);

  return (
    <div className="chat-filters">
      <input
        type="search"
        className="chat-search"
        aria-label="Search chats"
        placeholder="Search name, number or message"
        title="Names and numbers match from the first character, message text from the third"
        value={search}
        onChange={(event) => setSearch(event.target.value)}
      />
      <div className="chat-filter-row">
        <fieldset className="segmented">
          <legend className="visually-hidden">Show</legend>
          {views.map((view) => (
            <button key={view} type="button" aria-pressed={filters.view === view} onClick={() => onChange({ ...filters, view })}>
              {viewLabels[view]}
            </button>
          ))}
        </fieldset>
        {accounts.length > 1 && (
          <SelectField
            label="Account"
            hideLabel
            value={filters.accountId}
            options={[{ value: "", label: "All accounts" }, ...accounts.map((account) => ({ value: account.id, label: account.displayName }))]}
            onChange={(accountId) => onChange({ ...filters, accountId })}
          />
        )}
      </div>
    </div>
  );
}
