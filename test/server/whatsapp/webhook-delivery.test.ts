import type { Server } from "node:http";
import type { AddressInfo } from "node:net";
import express from "express";
import { type NormalizedEvent, parseWebhook } from "../../../server/whatsapp/webhook-payload";
import { answerVerificationChallenge, verifyWebhookSignature } from "../../../server/whatsapp/webhook-signature";
import { deliverSignedWebhook } from "../../fakes/graph-api";
import { inboundTextWebhook, statusWebhook } from "../../fakes/whatsapp-webhooks";

// A minimal receiver wired the way whatsapp.md §6 asks: raw bytes for the signature, 403 on a
// bad one, 200 once the body is taken. It shows the building blocks fit over real HTTP.
const appSecret = "test-app-secret";
const verifyToken = "test-verify-token";
let server: Server;
let webhookUrl: string;
const received: NormalizedEvent[] = [];

beforeAll(async () => {
  const app = express();
  app.get("/webhooks/whatsapp", (request, response) => {
    const challenge = answerVerificationChallenge(request.query, verifyToken);
    if (challenge === null) return void response.sendStatus(403);
    response.type("text/plain").send(challenge);
  });
  app.post("/webhooks/whatsapp", express.raw({ type: "application/json" }), (request, response) => {
    if (!verifyWebhookSignature(appSecret, request.body, request.get("x-hub-signature-256"))) {
      return void response.sendStatus(403);
    }
    received.push(...parseWebhook(JSON.parse(request.body.toString("utf8"))));
    response.sendStatus(200);
  });
  server = await new Promise((resolve) => {
    const listening = app.listen(0, "127.0.0.1", () => resolve(listening));
  });
  webhookUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/webhooks/whatsapp`;
});
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));
beforeEach(() => {
  received.length = 0;
});

describe("signed webhook delivery", () => {
  it("delivers an inbound message whose signature verifies over the exact bytes", async () => {
    const payload = inboundTextWebhook({ phoneNumberId: "pn_1", from: { phone: "16505551234" }, body: "Olá ✓", wamid: "wamid.in" });
    expect(await deliverSignedWebhook(webhookUrl, appSecret, payload)).toEqual({ status: 200, text: "OK" });
    expect(received).toEqual([expect.objectContaining({ kind: "message", wamid: "wamid.in", text: "Olá ✓" })]);
  });

  it("keeps pretty-printed bytes as they are, so the signature still matches", async () => {
    const payload = statusWebhook({ phoneNumberId: "pn_1", wamid: "wamid.out", status: "read", recipient: { bsuid: "BR.1" } });
    const pretty = JSON.stringify(payload, null, 2);
    expect((await deliverSignedWebhook(webhookUrl, appSecret, pretty)).status).toBe(200);
    expect(received).toEqual([expect.objectContaining({ kind: "status", status: "read", recipient: { bsuid: "BR.1" } })]);
  });

  it("is refused (403) when signed with another secret", async () => {
    const payload = inboundTextWebhook({ phoneNumberId: "pn_1", from: { phone: "16505551234" }, body: "forged" });
    expect((await deliverSignedWebhook(webhookUrl, "attacker-secret", payload)).status).toBe(403);
    expect(received).toEqual([]);
  });

  it("is refused (403) without a signature header", async () => {
    const response = await fetch(webhookUrl, { method: "POST", headers: { "content-type": "application/json" }, body: "{}" });
    expect(response.status).toBe(403);
  });
});

describe("verification handshake over HTTP", () => {
  it("echoes the challenge as text/plain for the right token and answers 403 otherwise", async () => {
    const query = (token: string) => new URLSearchParams({ "hub.mode": "subscribe", "hub.verify_token": token, "hub.challenge": "1158201444" });
    const ok = await fetch(`${webhookUrl}?${query(verifyToken)}`);
    expect([ok.status, ok.headers.get("content-type"), await ok.text()]).toEqual([200, "text/plain; charset=utf-8", "1158201444"]);
    expect((await fetch(`${webhookUrl}?${query("wrong")}`)).status).toBe(403);
  });
});
