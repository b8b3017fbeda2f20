import { Session } from "node:inspector/promises";

// A V8 CPU profile of this process while `work` runs, folded into a few buckets that answer
// "where does a webhook's Node time go": building SQL, the driver, socket syscalls, Express …

type ProfileNode = { id: number; callFrame: { functionName: string; url: string }; children?: number[] };
type Profile = { nodes: ProfileNode[]; samples: number[]; timeDeltas: number[] };

export type CpuBucket = { bucket: string; milliseconds: number };

const buckets: { bucket: string; matches: (frame: ProfileNode["callFrame"]) => boolean }[] = [
  { bucket: "idle", matches: (frame) => frame.functionName === "(idle)" },
  {
    bucket: "socket writes (writev/write syscalls to PostgreSQL and clients)",
    matches: (frame) => frame.url === "" && /^(writev|writeBuffer|writeUtf8String|writeLatin1String)$/.test(frame.functionName),
  },
  { bucket: "drizzle-orm (building SQL, mapping rows)", matches: (frame) => frame.url.includes("node_modules/drizzle-orm") },
  { bucket: "node-postgres (pg, pg-protocol, pg-types)", matches: (frame) => /node_modules\/(pg|pg-protocol|pg-types|pg-pool)\//.test(frame.url) },
  {
    bucket: "Express, router, helmet, body parsing",
    matches: (frame) =>
      /node_modules\/(express|router|helmet|body-parser|raw-body|finalhandler|send|qs|type-is|content-type|on-finished|iconv-lite|statuses)\//.test(frame.url),
  },
  { bucket: "zod (validation)", matches: (frame) => frame.url.includes("node_modules/zod") },
  { bucket: "libphonenumber-js", matches: (frame) => frame.url.includes("node_modules/libphonenumber-js") },
  { bucket: "crypto (HMAC, ids)", matches: (frame) => frame.url.includes("internal/crypto") || frame.functionName === "Hmac" },
  { bucket: "garbage collection", matches: (frame) => frame.functionName === "(garbage collector)" },
  { bucket: "app code (server/)", matches: (frame) => frame.url.includes("/server/") && !frame.url.includes("node_modules") },
  { bucket: "bench load generator (test/bench)", matches: (frame) => frame.url.includes("/test/") },
  { bucket: "Node core (http, streams, events, timers)", matches: (frame) => frame.url.startsWith("node:") },
];

/** Runs `work` under the V8 profiler and returns self time per bucket, in ms, busiest first. */
export async function profileCpu<T>(work: () => Promise<T>): Promise<{ result: T; buckets: CpuBucket[] }> {
  const session = new Session();
  session.connect();
  await session.post("Profiler.enable");
  await session.post("Profiler.setSamplingInterval", { interval: 200 });
  await session.post("Profiler.start");
  let stopped: { profile: Profile };
  let result: T;
  try {
    result = await work();
  } finally {
    stopped = (await session.post("Profiler.stop")) as unknown as { profile: Profile };
    session.disconnect();
  }
  const { profile } = stopped;
  const nodes = new Map(profile.nodes.map((node) => [node.id, node]));
  const totals = new Map<string, number>();
  profile.samples.forEach((nodeId, index) => {
    const frame = nodes.get(nodeId)?.callFrame;
    if (!frame) return;
    const bucket = buckets.find((candidate) => candidate.matches(frame))?.bucket ?? "other (native, V8 builtins, other packages)";
    totals.set(bucket, (totals.get(bucket) ?? 0) + (profile.timeDeltas[index] ?? 0) / 1000);
  });
  return { result, buckets: [...totals.entries()].map(([bucket, milliseconds]) => ({ bucket, milliseconds })).sort((a, b) => b.milliseconds - a.milliseconds) };
}
