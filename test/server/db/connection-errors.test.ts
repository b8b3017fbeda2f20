import { isConnectionLost } from "../../../server/db/connection-errors";
import { reconnectDelayMs } from "../../../server/events/listen-connection";

const withCode = (code: string, message = "boom") => Object.assign(new Error(message), { code });

describe("isConnectionLost", () => {
  it.each([
    ["57P01 admin_shutdown", withCode("57P01"), true],
    ["57P02 crash_shutdown", withCode("57P02"), true],
    ["57P03 cannot_connect_now", withCode("57P03"), true],
    ["08006 connection_failure", withCode("08006"), true],
    ["ECONNRESET", withCode("ECONNRESET"), true],
    ["ECONNREFUSED", withCode("ECONNREFUSED"), true],
    ["node-postgres: terminated unexpectedly", new Error("Connection terminated unexpectedly"), true],
    ["node-postgres: not queryable", new Error("Client has encountered a connection error and is not queryable"), true],
    ["wrapped by Drizzle", new Error("Failed query: rollback", { cause: new Error("Connection terminated unexpectedly") }), true],
    ["23505 unique_violation", withCode("23505"), false],
    ["42P01 undefined_table", withCode("42P01"), false],
    ["a plain bug", new TypeError("x is undefined"), false],
    ["not an error", "57P01", false],
  ])("%s → %s", (_name, error, expected) => {
    expect(isConnectionLost(error)).toBe(expected);
  });
});

describe("reconnectDelayMs", () => {
  it("starts near 100 ms, doubles, stays under 5 s, and is jittered", () => {
    expect([0, 1, 2, 3].map((attempt) => reconnectDelayMs(attempt, () => 1))).toEqual([100, 200, 400, 800]);
    expect(reconnectDelayMs(0, () => 0)).toBe(50);
    expect(reconnectDelayMs(10, () => 1)).toBe(5000);
    expect(reconnectDelayMs(1000, () => 0.5)).toBe(3750);
  });
});
