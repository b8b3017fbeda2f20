-- The columns first: the new primary key names `part` (drizzle-kit put the key before the column).
ALTER TABLE "pipedrive_log_entries" ADD COLUMN "part" integer DEFAULT 1 NOT NULL;--> statement-breakpoint
ALTER TABLE "pipedrive_log_entries" ADD COLUMN "lines" text DEFAULT '' NOT NULL;--> statement-breakpoint
ALTER TABLE "pipedrive_log_entries" ADD COLUMN "line_count" integer DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE "pipedrive_log_entries" ADD COLUMN "message_ids" text[] DEFAULT '{}'::text[] NOT NULL;--> statement-breakpoint
ALTER TABLE "pipedrive_log_entries" ADD COLUMN "day_line_count" integer DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE "pipedrive_log_entries" ADD COLUMN "logged_through_at" timestamp (6) with time zone;--> statement-breakpoint
ALTER TABLE "pipedrive_log_entries" ADD COLUMN "logged_through_id" text;--> statement-breakpoint
ALTER TABLE "pipedrive_log_entries" DROP CONSTRAINT "pipedrive_log_entries_workspace_id_chat_id_day_kind_pk";--> statement-breakpoint
ALTER TABLE "pipedrive_log_entries" ADD CONSTRAINT "pipedrive_log_entries_workspace_id_chat_id_day_kind_part_pk" PRIMARY KEY("workspace_id","chat_id","day","kind","part");
