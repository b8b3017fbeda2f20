CREATE TABLE "hubspot_log_entries" (
	"hub_id" bigint NOT NULL,
	"workspace_id" text NOT NULL,
	"chat_id" text NOT NULL,
	"day" date NOT NULL,
	"part" integer NOT NULL,
	"communication_id" text NOT NULL,
	"contact_id" text NOT NULL,
	"deal_id" text,
	"lines" text DEFAULT '' NOT NULL,
	"line_count" integer DEFAULT 0 NOT NULL,
	"message_ids" text[] DEFAULT '{}'::text[] NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "hubspot_log_entries_hub_id_workspace_id_chat_id_day_part_pk" PRIMARY KEY("hub_id","workspace_id","chat_id","day","part")
);
--> statement-breakpoint
CREATE TABLE "hubspot_log_jobs" (
	"workspace_id" text NOT NULL,
	"chat_id" text NOT NULL,
	"day" date NOT NULL,
	"status" text DEFAULT 'pending' NOT NULL,
	"version" bigint DEFAULT 1 NOT NULL,
	"attempts" bigint DEFAULT 0 NOT NULL,
	"next_attempt_at" timestamp with time zone DEFAULT now() NOT NULL,
	"last_error" text,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "hubspot_log_jobs_workspace_id_chat_id_day_pk" PRIMARY KEY("workspace_id","chat_id","day")
);
--> statement-breakpoint
CREATE TABLE "hubspot_message_logs" (
	"hub_id" bigint NOT NULL,
	"workspace_id" text NOT NULL,
	"message_id" text NOT NULL,
	"chat_id" text NOT NULL,
	"communication_id" text NOT NULL,
	"contact_id" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "hubspot_message_logs_hub_id_workspace_id_message_id_pk" PRIMARY KEY("hub_id","workspace_id","message_id")
);
--> statement-breakpoint
CREATE TABLE "hubspot_settings" (
	"workspace_id" text PRIMARY KEY NOT NULL,
	"logging" text DEFAULT 'per_day' NOT NULL,
	"updated_by" text,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
ALTER TABLE "hubspot_log_entries" ADD CONSTRAINT "hubspot_log_entries_workspace_id_workspaces_id_fk" FOREIGN KEY ("workspace_id") REFERENCES "public"."workspaces"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "hubspot_log_entries" ADD CONSTRAINT "hubspot_log_entries_workspace_id_chat_id_chats_workspace_id_id_fk" FOREIGN KEY ("workspace_id","chat_id") REFERENCES "public"."chats"("workspace_id","id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "hubspot_log_jobs" ADD CONSTRAINT "hubspot_log_jobs_workspace_id_workspaces_id_fk" FOREIGN KEY ("workspace_id") REFERENCES "public"."workspaces"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "hubspot_log_jobs" ADD CONSTRAINT "hubspot_log_jobs_workspace_id_chat_id_chats_workspace_id_id_fk" FOREIGN KEY ("workspace_id","chat_id") REFERENCES "public"."chats"("workspace_id","id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "hubspot_message_logs" ADD CONSTRAINT "hubspot_message_logs_workspace_id_workspaces_id_fk" FOREIGN KEY ("workspace_id") REFERENCES "public"."workspaces"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "hubspot_message_logs" ADD CONSTRAINT "hubspot_message_logs_workspace_id_chat_id_chats_workspace_id_id_fk" FOREIGN KEY ("workspace_id","chat_id") REFERENCES "public"."chats"("workspace_id","id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "hubspot_settings" ADD CONSTRAINT "hubspot_settings_workspace_id_workspaces_id_fk" FOREIGN KEY ("workspace_id") REFERENCES "public"."workspaces"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "hubspot_log_jobs_due_idx" ON "hubspot_log_jobs" USING btree ("next_attempt_at") WHERE "hubspot_log_jobs"."status" = 'pending';