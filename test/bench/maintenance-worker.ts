// One variant of the maintenance benchmark in its own process (test/bench/maintenance.ts forks it):
// its database, its in-process app and its requests, stepped by the parent's commands.
import { type GrowthTarget, grow, measure, measurePass, openGrowthTarget, type WorkerCommand, type WorkerReply } from "./maintenance";
import { rowsOf } from "./sessions";

let target: GrowthTarget | null = null;
const progressEvery = 500;

async function handle(command: WorkerCommand): Promise<unknown> {
  switch (command.kind) {
    case "open":
      if (!command.key) throw new Error("no variant");
      target = await openGrowthTarget(command.key);
      return null;
    case "autovacuum": {
      if (target?.engine !== "postgres") return undefined;
      const [row] = await rowsOf(target.database, "select current_setting('autovacuum') as on, current_setting('autovacuum_naptime') as naptime");
      return `autovacuum=${row?.on}, autovacuum_naptime=${row?.naptime}`;
    }
    case "grow": {
      const open = opened();
      for (let from = command.from; from < command.to; from += progressEvery) {
        await grow([open], from, Math.min(from + progressEvery, command.to));
        console.log(`[maintenance ${open.key}] ${Math.min(from + progressEvery, command.to)} chats`);
      }
      return null;
    }
    case "measure":
      return (await measure([opened()], command))[0];
    case "close": {
      const open = opened();
      target = null;
      open.client.close();
      await open.app.close();
      await open.database.dispose();
      return null;
    }
    case "pass":
      return measurePass({ passChats: command.chats, warmup: command.warmup });
  }
}

function opened(): GrowthTarget {
  if (!target) throw new Error("no variant open");
  return target;
}

process.on("message", (message: { id: number; command: WorkerCommand }) => {
  handle(message.command).then(
    (result) => process.send?.({ id: message.id, result } satisfies WorkerReply),
    (error: unknown) =>
      process.send?.({ id: message.id, error: error instanceof Error ? (error.stack ?? error.message) : String(error) } satisfies WorkerReply),
  );
});
process.on("disconnect", () => process.exit(0));
