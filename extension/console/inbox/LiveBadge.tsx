import { useLiveStatus } from "../live/LiveUpdatesProvider";
import type { LiveStatus } from "../live/live-event";

const labels: Record<LiveStatus, string> = { off: "", connecting: "Connecting…", live: "Live", reconnecting: "Reconnecting…", stopped: "Offline" };

/** Whether new messages arrive on their own right now. */
export function LiveBadge() {
  const status = useLiveStatus();
  if (status === "off") return null;
  return (
    <span className={`live-badge live-${status}`} role="status" title={status === "live" ? "New messages appear as they arrive" : "Live updates are paused"}>
      {labels[status]}
    </span>
  );
}
