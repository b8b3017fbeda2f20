import express, { type NextFunction, type Request, type Response } from "express";
import type { Config } from "../config";
import { demoCrmApi } from "./api-routes";
import { sendApiError } from "./contract/responses";
import { demoCrmOAuth } from "./oauth-routes";
import type { DemoCrmStore } from "./store";

/**
 * The demo CRM as an Express router: Pipedrive's OAuth server under /oauth (consent, token, revoke) and its REST API under
 * /api, answering the official client exactly as Pipedrive would. Development only: the app
 * mounts it when `config.demoCrm.enabled`, which production never is.
 */
export function demoCrmRouter(config: Config, store: DemoCrmStore) {
  const router = express.Router();
  router.use("/oauth", demoCrmOAuth(config, store));
  router.use("/api", express.json({ limit: "1mb" }), demoCrmApi(config, store));
  router.use((_request, response) => sendApiError(response, 404, "Unknown method ."));
  router.use((_error: unknown, _request: Request, response: Response, _next: NextFunction) => sendApiError(response, 400, "Request body is not valid JSON"));
  return router;
}
