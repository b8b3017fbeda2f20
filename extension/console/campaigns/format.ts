import type { CampaignStatus } from "./types";

export const statusLabels: Record<CampaignStatus, string> = {
  awaiting_approval: "Waiting for approval",
  scheduled: "Scheduled",
  running: "Sending",
  paused: "Paused",
  completed: "Done",
  cancelled: "Cancelled",
};

export const formatTime = (iso: string) => new Date(iso).toLocaleString(undefined, { dateStyle: "medium", timeStyle: "short" });
