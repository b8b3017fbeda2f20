import { z } from "zod";
import { conflict, notFound } from "../http/problem";
import { publicAccess, route } from "../http/route";
import { signPanelToken } from "./panel-token";

const SimulatorToken = z.object({ userId: z.number().int().positive(), companyId: z.number().int().positive() }).strict();

export const simulatorRoutes = [
  route({
    method: "post",
    path: "/dev/simulator/token",
    summary: "Development only: a panel token signed like Pipedrive's, for the CRM simulator (404 in production)",
    tag: "Development",
    access: publicAccess("the CRM simulator's stand-in for Pipedrive signing the iframe token; absent in production"),
    body: SimulatorToken,
    auditExempt: "signs a short-lived token for the simulator; changes nothing",
    responses: { 200: "{token}", 404: "In production", 409: "No panel JWT secret configured" },
    async handler({ body, services }) {
      // The secret stays on the server: the simulator page asks for a token instead of signing one.
      if (services.config.nodeEnv === "production") throw notFound("endpoint");
      const secret = services.config.pipedrive.jwtSecret;
      if (!secret) throw conflict("Set PIPEDRIVE_JWT_SECRET (or PIPEDRIVE_CLIENT_SECRET), or turn the demo CRM on (DEMO_CRM=on), to use the simulator.");
      return { status: 200, body: { token: await signPanelToken(secret, { userId: body.userId, companyId: body.companyId }, 5 * 60) } };
    },
  }),
];
