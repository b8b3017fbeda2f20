import { StrictMode, useEffect, useState } from "react";
import { createRoot } from "react-dom/client";
import "./simulator.css";
import { fetchDemoCrmRecord } from "./crm-record";
import { Simulator } from "./Simulator";
import { readQuery, resolveSetup, type SimulatorSetup } from "./setup";

// Development only: a stand-in for a Pipedrive deal page that hosts the real panel.
function SimulatorPage() {
  const [setup, setSetup] = useState<SimulatorSetup | { problem: string }>();
  useEffect(() => {
    const query = readQuery(window.location.search);
    void fetchDemoCrmRecord(query.resource, query.recordId).then((demoCrm) => setSetup(resolveSetup(query, demoCrm)));
  }, []);
  if (!setup) return <p className="pd-loading">Loading the CRM…</p>;
  if ("problem" in setup) {
    return (
      <p className="pd-problem" role="alert">
        {setup.problem}
      </p>
    );
  }
  return <Simulator setup={setup} />;
}

createRoot(document.getElementById("root") as HTMLElement).render(
  <StrictMode>
    <SimulatorPage />
  </StrictMode>,
);
