import { notFound } from "../http/problem";
import { publicAccess, route } from "../http/route";

/** The development mail catcher's messages, for the console's /#/dev/mail page. */
export const devMailRoutes = [
  route({
    method: "get",
    path: "/dev/mail",
    summary: "Development only: the e-mail this server sent to its mail catcher, newest first",
    tag: "Development",
    access: publicAccess(
      "the development mail catcher's messages, readable without logging in (a reset link is how you get back in); absent in production and whenever SMTP is configured",
    ),
    responses: {
      200: "{data: [{id, receivedAt, envelope, from, to, subject, text, html}]}",
      404: "No mail catcher: production, SMTP configured, or MAIL_CATCHER=off",
    },
    async handler({ services }) {
      if (!services.mailCatcher) throw notFound("mail catcher");
      return { status: 200, body: { data: services.mailCatcher.messages() } };
    },
  }),
];
