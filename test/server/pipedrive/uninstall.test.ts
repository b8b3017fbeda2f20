import type { Server } from "node:http";
import type { AddressInfo } from "node:net";
import express from "express";
import { type UninstallVerification, verifyAppSharingRequest, verifyUninstallRequest } from "../../../server/pipedrive/uninstall";
import { basicHeader, type FakePipedrive, startFakePipedrive } from "../../fakes/pipedrive";
import { failOnContractRefusals } from "../../support/pipedrive-contract";

// Pipedrive delivers the uninstall callback over HTTP; a minimal route stands in for ours.
let fake: FakePipedrive;
let callbackServer: Server;
let callbackUrl: string;
const verifications: UninstallVerification[] = [];

failOnContractRefusals(() => fake);
beforeAll(async () => {
  fake = await startFakePipedrive();
  const app = express();
  app.delete("/pipedrive/callback", express.json(), (request, response) => {
    verifications.push(verifyUninstallRequest(fake, { authorization: request.get("authorization"), body: request.body }));
    response.sendStatus(200);
  });
  callbackServer = await new Promise((resolve) => {
    const listening = app.listen(0, "127.0.0.1", () => resolve(listening));
  });
  callbackUrl = `http://127.0.0.1:${(callbackServer.address() as AddressInfo).port}/pipedrive/callback`;
});
afterAll(async () => {
  await fake.close();
  await new Promise((resolve) => callbackServer.close(resolve));
});
beforeEach(() => {
  verifications.length = 0;
});

describe("verifyUninstallRequest", () => {
  it("accepts Pipedrive's DELETE with our Basic credentials and names the company and user", async () => {
    await fake.deliverUninstall(callbackUrl);
    expect(verifications).toEqual([{ ok: true, notice: { pipedriveCompanyId: 67890, pipedriveUserId: 12345, timestamp: expect.any(String) } }]);
  });

  it.each([
    ["a wrong secret", basicHeader("fake-client-id", "fake-client-secreT")],
    ["another client", basicHeader("another-client", "fake-client-secret")],
    ["a longer secret", basicHeader("fake-client-id", "fake-client-secret-and-more")],
  ])("rejects %s", async (_case, credentials) => {
    await fake.deliverUninstall(callbackUrl, { credentials });
    expect(verifications).toEqual([{ ok: false, reason: "bad_auth" }]);
  });

  it.each([
    ["no Authorization header", null],
    ["a Bearer token", "Bearer fake-client-secret"],
    ["an empty Basic header", "Basic "],
  ])("rejects %s as missing credentials", async (_case, credentials) => {
    await fake.deliverUninstall(callbackUrl, { credentials });
    expect(verifications).toEqual([{ ok: false, reason: "missing_auth" }]);
  });

  it("rejects a body that names another app or no company", () => {
    const authorization = basicHeader(fake.clientId, fake.clientSecret);
    const body = { client_id: fake.clientId, company_id: 67890, user_id: 12345, timestamp: "2026-07-10T12:00:00Z" };
    expect(verifyUninstallRequest(fake, { authorization, body: { ...body, client_id: "other-app" } })).toEqual({ ok: false, reason: "bad_body" });
    expect(verifyUninstallRequest(fake, { authorization, body: { ...body, company_id: undefined } })).toEqual({ ok: false, reason: "bad_body" });
    expect(verifyUninstallRequest(fake, { authorization, body: undefined })).toEqual({ ok: false, reason: "bad_body" });
  });

  it("accepts ids sent as digit strings", () => {
    const authorization = basicHeader(fake.clientId, fake.clientSecret);
    const body = { client_id: fake.clientId, company_id: "67890", user_id: "12345" };
    expect(verifyUninstallRequest(fake, { authorization, body })).toEqual({
      ok: true,
      notice: { pipedriveCompanyId: 67890, pipedriveUserId: 12345, timestamp: null },
    });
  });
});

describe("verifyAppSharingRequest", () => {
  const authorization = () => basicHeader(fake.clientId, fake.clientSecret);
  const body = { company_id: 67890, user_id: 22222, isShared: true };

  it("accepts Pipedrive's sharing notice with our Basic credentials", () => {
    expect(verifyAppSharingRequest(fake, { authorization: authorization(), body })).toEqual({
      ok: true,
      notice: { pipedriveCompanyId: 67890, pipedriveUserId: 22222, isShared: true },
    });
  });

  it.each([
    ["no credentials", undefined, body, "missing_auth"],
    ["a wrong secret", basicHeader("fake-client-id", "guess"), body, "bad_auth"],
    ["no isShared", "ours", { company_id: 67890, user_id: 22222 }, "bad_body"],
    ["another app's client_id", "ours", { ...body, client_id: "other-app" }, "bad_body"],
  ])("refuses %s", (_case, credentials, notice, reason) => {
    const header = credentials === "ours" ? authorization() : credentials;
    expect(verifyAppSharingRequest(fake, { authorization: header, body: notice })).toEqual({ ok: false, reason });
  });
});
