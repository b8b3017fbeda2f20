// The baseline of the throughput comparison in authorization.ts: a bare Express hello-world, run
// as its own process exactly like server/main.ts (`node --import tsx`, NODE_ENV=production). No
// helmet, no body parser, no database: one route that answers a small JSON body. Beside it, the
// floor of any route that reads the database: `select 1` on a pool of 10 (as the app's), answered
// as JSON — one round trip to PostgreSQL and nothing else. The openapi.json route exists only so
// startServerProcess can check that this process answers its port.
import express from "express";
import pg from "pg";

const { PORT, PUBLIC_URL, DATABASE_URL } = process.env;
if (!PORT || !PUBLIC_URL || !DATABASE_URL) throw new Error("PORT, PUBLIC_URL and DATABASE_URL are required");
const pool = new pg.Pool({ connectionString: DATABASE_URL, max: 10 });

const app = express();
app.get("/api/v1/hello", (_request, response) => {
  response.json({ hello: "world" });
});
app.get("/api/v1/one-query", async (_request, response, next) => {
  try {
    response.json((await pool.query("select 1 as one")).rows[0]);
  } catch (error) {
    next(error);
  }
});
app.get("/api/v1/openapi.json", (_request, response) => {
  response.json({ servers: [{ url: `${PUBLIC_URL}/api/v1` }] });
});

const server = app.listen(Number(PORT), "127.0.0.1", (error?: Error) => {
  if (error) throw error;
  console.log(`Switchboard: bare Express hello-world on ${PUBLIC_URL}`);
});
process.on("SIGTERM", () => server.close(() => void pool.end().then(() => process.exit(0))));
