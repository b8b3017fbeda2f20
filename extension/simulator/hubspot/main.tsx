import { StrictMode, useEffect, useState } from "react";
import { createRoot } from "react-dom/client";
import "./hubspot.css";
import { RecordPage } from "./RecordPage";
import { fetchHubspotRecord, type HubspotRecordView, readHubspotQuery } from "./record";

// Development only: a stand-in for a HubSpot record page that hosts the real app card.
function HubspotSimulatorPage() {
  const [query] = useState(() => readHubspotQuery(window.location.search));
  const [view, setView] = useState<HubspotRecordView | { problem: string }>();
  useEffect(() => {
    void fetchHubspotRecord(query).then(setView);
  }, [query]);
  if (!view) return <p className="hs-loading">Loading HubSpot…</p>;
  if ("problem" in view) {
    return (
      <p className="hs-problem" role="alert">
        {view.problem}
      </p>
    );
  }
  return <RecordPage initial={view} initialUserId={query.userId} />;
}

createRoot(document.getElementById("root") as HTMLElement).render(
  <StrictMode>
    <HubspotSimulatorPage />
  </StrictMode>,
);
