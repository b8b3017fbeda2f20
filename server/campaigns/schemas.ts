import { z } from "zod";
import { campaignStatuses } from "../db/schema";
import { ListQuery } from "../http/schemas";
import { HeaderMediaInput } from "./header-media";
import { maxRecipients } from "./recipients";

const TemplateName = z.string().trim().min(1).max(200);
/** Meta's limit for a template body is 1,024 characters (whatsapp.md §9); a local one may be a full message. */
const TemplateBody = z.string().trim().min(1).max(4096);
const MetaTemplateName = z.string().regex(/^[a-z0-9_]{1,512}$/, "Meta template names are lowercase letters, digits and _");
const MetaLanguage = z.string().regex(/^[a-z]{2,3}(_[A-Z]{2})?$/, "a Meta language code such as en or en_US");
const bothOrNeither = (body: { metaTemplateName?: string | null; metaLanguage?: string | null }) =>
  (body.metaTemplateName === undefined) === (body.metaLanguage === undefined) && (body.metaTemplateName === null) === (body.metaLanguage === null);
const bothOrNeitherMessage = { message: "give metaTemplateName and metaLanguage together", path: ["metaLanguage"] };

export const CreateTemplate = z
  .object({ name: TemplateName, body: TemplateBody, metaTemplateName: MetaTemplateName.optional(), metaLanguage: MetaLanguage.optional() })
  .strict()
  .refine(bothOrNeither, bothOrNeitherMessage);

export const UpdateTemplate = z
  .object({
    name: TemplateName.optional(),
    body: TemplateBody.optional(),
    metaTemplateName: MetaTemplateName.nullable().optional(),
    metaLanguage: MetaLanguage.nullable().optional(),
  })
  .strict()
  .refine(bothOrNeither, bothOrNeitherMessage);

export const SyncTemplates = z.object({ accountId: z.string().min(1).max(100) }).strict();

const VariableMap = z
  .record(z.string().regex(/^[A-Za-z0-9_.-]{1,64}$/, "variable names are letters, digits, _ . -"), z.string().max(1024))
  .refine((map) => Object.keys(map).length <= 50, "at most 50 variables");

const Recipient = z.object({ phone: z.string().min(1).max(40), name: z.string().max(200).nullable().optional(), variables: VariableMap.optional() }).strict();

export const LaunchCampaign = z
  .object({
    accountId: z.string().min(1).max(100),
    templateId: z.string().min(1).max(100),
    name: z.string().trim().min(1).max(200).optional(),
    recipients: z.array(Recipient).min(1).max(maxRecipients).optional(),
    /** CSV text with a header row: `phone`, optional `name`, any other column a variable. */
    recipientsCsv: z.string().min(1).max(5_000_000).optional(),
    /** ISO 3166 country of national-format numbers ("020 7946 0958" with GB). */
    defaultCountry: z
      .string()
      .regex(/^[A-Z]{2}$/, "a two-letter country code such as GB")
      .optional(),
    /** When to start; absent or past means now. */
    scheduledAt: z.iso.datetime({ offset: true }).optional(),
    /** The file of a template with a media header (image, video or PDF), base64: the same file for every recipient. */
    headerMedia: HeaderMediaInput.optional(),
  })
  .strict()
  .refine((body) => (body.recipients === undefined) !== (body.recipientsCsv === undefined), {
    message: "give either recipients or recipientsCsv",
    path: ["recipients"],
  });

export const CampaignListQuery = ListQuery.extend({
  status: z.enum(campaignStatuses).optional(),
  accountId: z.string().max(100).optional(),
});

const Cap = z.number().int().min(0).max(10_000_000);

export const UpdateCampaignSettings = z
  .object({
    dailyRecipientCap: Cap.nullable().optional(),
    roleDailyCaps: z
      .record(z.string().min(1).max(100), Cap)
      .refine((caps) => Object.keys(caps).length <= 100, "at most 100 roles")
      .optional(),
    approvalThreshold: Cap.nullable().optional(),
  })
  .strict();
