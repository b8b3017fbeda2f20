CREATE TABLE "campaign_recipients" (
	"workspace_id" text NOT NULL,
	"campaign_id" text NOT NULL,
	"seq" bigint NOT NULL,
	"phone" text NOT NULL,
	"name" text,
	"status" text DEFAULT 'queued' NOT NULL,
	"message_id" text,
	"provider_message_id" text,
	"error" text,
	"sending_at" timestamp (6) with time zone,
	"sent_at" timestamp (6) with time zone,
	"delivered_at" timestamp with time zone,
	"read_at" timestamp with time zone,
	CONSTRAINT "campaign_recipients_workspace_id_campaign_id_seq_pk" PRIMARY KEY("workspace_id","campaign_id","seq")
);
--> statement-breakpoint
CREATE TABLE "campaign_settings" (
	"workspace_id" text PRIMARY KEY NOT NULL,
	"daily_recipient_cap" bigint,
	"role_daily_caps" jsonb DEFAULT '{}'::jsonb NOT NULL,
	"approval_threshold" bigint
);
--> statement-breakpoint
CREATE TABLE "campaigns" (
	"workspace_id" text NOT NULL,
	"id" text NOT NULL,
	"account_id" text NOT NULL,
	"template_id" text NOT NULL,
	"created_by" text NOT NULL,
	"name" text NOT NULL,
	"status" text NOT NULL,
	"scheduled_at" timestamp with time zone,
	"approved_by" text,
	"recipient_count" bigint NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"started_at" timestamp with time zone,
	"finished_at" timestamp with time zone,
	CONSTRAINT "campaigns_workspace_id_id_pk" PRIMARY KEY("workspace_id","id")
);
--> statement-breakpoint
CREATE TABLE "templates" (
	"workspace_id" text NOT NULL,
	"id" text NOT NULL,
	"owner_id" text NOT NULL,
	"name" text NOT NULL,
	"body" text NOT NULL,
	"meta_template_name" text,
	"meta_language" text,
	"source" text DEFAULT 'local' NOT NULL,
	"meta_status" text,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "templates_workspace_id_id_pk" PRIMARY KEY("workspace_id","id")
);
--> statement-breakpoint
ALTER TABLE "campaign_recipients" ADD CONSTRAINT "campaign_recipients_workspace_id_workspaces_id_fk" FOREIGN KEY ("workspace_id") REFERENCES "public"."workspaces"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "campaign_recipients" ADD CONSTRAINT "campaign_recipients_workspace_id_campaign_id_campaigns_workspace_id_id_fk" FOREIGN KEY ("workspace_id","campaign_id") REFERENCES "public"."campaigns"("workspace_id","id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "campaign_settings" ADD CONSTRAINT "campaign_settings_workspace_id_workspaces_id_fk" FOREIGN KEY ("workspace_id") REFERENCES "public"."workspaces"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "campaigns" ADD CONSTRAINT "campaigns_workspace_id_workspaces_id_fk" FOREIGN KEY ("workspace_id") REFERENCES "public"."workspaces"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "templates" ADD CONSTRAINT "templates_workspace_id_workspaces_id_fk" FOREIGN KEY ("workspace_id") REFERENCES "public"."workspaces"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "campaign_recipients_queued_idx" ON "campaign_recipients" USING btree ("workspace_id","campaign_id","seq") WHERE "campaign_recipients"."status" = 'queued';--> statement-breakpoint
CREATE UNIQUE INDEX "campaign_recipients_phone_key" ON "campaign_recipients" USING btree ("workspace_id","campaign_id","phone");--> statement-breakpoint
CREATE UNIQUE INDEX "campaign_recipients_provider_key" ON "campaign_recipients" USING btree ("workspace_id","provider_message_id") WHERE "campaign_recipients"."provider_message_id" is not null;--> statement-breakpoint
CREATE INDEX "campaigns_created_by_idx" ON "campaigns" USING btree ("workspace_id","created_by","created_at");--> statement-breakpoint
CREATE INDEX "campaigns_created_idx" ON "campaigns" USING btree ("workspace_id","created_at");--> statement-breakpoint
CREATE INDEX "campaigns_live_idx" ON "campaigns" USING btree ("workspace_id","status") WHERE "campaigns"."status" in ('scheduled', 'running');--> statement-breakpoint
CREATE INDEX "templates_owner_idx" ON "templates" USING btree ("workspace_id","owner_id");--> statement-breakpoint
CREATE UNIQUE INDEX "templates_meta_key" ON "templates" USING btree ("workspace_id","owner_id","meta_template_name","meta_language") WHERE "templates"."source" = 'meta';