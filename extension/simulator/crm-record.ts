import { useEffect, useState } from "react";
import type { DemoCrmView, Resource } from "./setup";

// The demo CRM's side of the page, from the development server: the record with its company and
// users (once), and the notes and activities Switchboard logged there (polled, as Pipedrive's own
// page updates its history).

export type TimelineNote = { id: number; author: string; html: string; onDeal: number | null; updatedAt: string };
export type TimelineActivity = { id: number; subject: string; owner: string; done: boolean; html: string; updatedAt: string };
export type Timeline = { notes: TimelineNote[]; activities: TimelineActivity[] };
type RecordAnswer = DemoCrmView & Timeline;

export const recordPath = "/api/v1/dev/simulator/record";
const pollIntervalMs = 2_000;

/** The demo CRM's view of a record; null when this server has no demo CRM or no such record. */
export async function fetchDemoCrmRecord(resource: Resource, id: number): Promise<RecordAnswer | null> {
  try {
    const response = await fetch(`${recordPath}?resource=${resource}&id=${id}`);
    return response.ok ? ((await response.json()) as RecordAnswer) : null;
  } catch {
    return null;
  }
}

/** The record's notes and activities in the demo CRM, newest first, kept current while `enabled`. */
export function useDemoCrmTimeline(enabled: boolean, resource: Resource, id: number): Timeline {
  const [timeline, setTimeline] = useState<Timeline>({ notes: [], activities: [] });
  useEffect(() => {
    if (!enabled) return;
    let current = true;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const poll = async () => {
      const answer = await fetchDemoCrmRecord(resource, id);
      if (!current) return;
      if (answer) setTimeline({ notes: answer.notes, activities: answer.activities });
      timer = setTimeout(() => void poll(), pollIntervalMs);
    };
    void poll();
    return () => {
      current = false;
      clearTimeout(timer);
    };
  }, [enabled, resource, id]);
  return timeline;
}

/** A note's HTML as plain text with its line breaks; nothing in it is rendered as markup. */
export function noteText(html: string): string {
  const withBreaks = html.replace(/<br\s*\/?>/gi, "\n").replace(/<\/p>/gi, "\n");
  return (new DOMParser().parseFromString(withBreaks, "text/html").body.textContent ?? "").trim();
}
