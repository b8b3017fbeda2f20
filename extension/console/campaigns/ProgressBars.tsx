import type { Campaign } from "./types";

/**
 * Sent, delivered, read and failed out of the campaign's recipients. The API counts each recipient
 * once by its current status, so a read message is also delivered and sent: the bars add up.
 */
export function ProgressBars({ campaign }: { campaign: Campaign }) {
  const { sent, delivered, read, failed } = campaign.counts;
  const bars = [
    { label: "Sent", value: sent + delivered + read },
    { label: "Delivered", value: delivered + read },
    { label: "Read", value: read },
    { label: "Failed", value: failed },
  ];
  const total = Math.max(campaign.recipientCount, 1);
  return (
    <div className="campaign-progress">
      {bars.map((bar) => (
        <div key={bar.label} className="campaign-progress-row">
          <span className="campaign-progress-label">{bar.label}</span>
          <div
            className={`campaign-progress-bar${bar.label === "Failed" ? " failed" : ""}`}
            role="progressbar"
            aria-label={bar.label}
            aria-valuemin={0}
            aria-valuemax={campaign.recipientCount}
            aria-valuenow={bar.value}
            aria-valuetext={`${bar.value} of ${campaign.recipientCount}`}
          >
            <div style={{ width: `${(100 * bar.value) / total}%` }} />
          </div>
          <span className="campaign-progress-count">
            {bar.value} of {campaign.recipientCount}
          </span>
        </div>
      ))}
    </div>
  );
}
