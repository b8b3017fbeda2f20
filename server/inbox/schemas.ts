import { z } from "zod";
import { messageTextMaxLength } from "../whatsapp/message-limits";
import type { OutboundContent } from "./providers";

const Template = z
  .object({
    name: z.string().min(1).max(512),
    languageCode: z.string().min(2).max(15),
    // Meta refuses a blank value ("Parameter of type text is missing text value", 131008): say so here, not after sending.
    bodyParameters: z
      .array(
        z
          .string()
          .max(1024)
          .refine((value) => value.trim() !== "", "a template parameter may not be blank"),
      )
      .max(50)
      .default([]),
  })
  .strict();

/** A message is free-form `text`, or an approved `template` (needed outside the 24-hour window). */
export const MessageContent = {
  text: z.string().trim().min(1).max(messageTextMaxLength).optional(),
  template: Template.optional(),
};

export function contentOf(body: { text?: string; template?: z.infer<typeof Template> }): OutboundContent {
  if (body.template)
    return { kind: "template", name: body.template.name, languageCode: body.template.languageCode, bodyParameters: body.template.bodyParameters };
  return { kind: "text", text: body.text ?? "" };
}

export const exactlyOneContent = (body: { text?: string; template?: unknown }) => (body.text === undefined) !== (body.template === undefined);
export const contentMessage = { message: "give either text or template", path: ["text"] };
