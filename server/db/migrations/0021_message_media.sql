CREATE TABLE "message_media" (
	"workspace_id" text NOT NULL,
	"message_id" text NOT NULL,
	"kind" text NOT NULL,
	"mime_type" text,
	"file_name" text,
	"caption" text,
	"size_bytes" integer,
	"sha256" text,
	"provider_media_id" text,
	"storage_key" text,
	"status" text NOT NULL,
	"attempts" integer DEFAULT 0 NOT NULL,
	"next_attempt_at" timestamp with time zone DEFAULT now() NOT NULL,
	"last_error" text,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "message_media_workspace_id_message_id_pk" PRIMARY KEY("workspace_id","message_id")
);
--> statement-breakpoint
ALTER TABLE "message_media" ADD CONSTRAINT "message_media_workspace_id_workspaces_id_fk" FOREIGN KEY ("workspace_id") REFERENCES "public"."workspaces"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "message_media" ADD CONSTRAINT "message_media_workspace_id_message_id_messages_workspace_id_id_fk" FOREIGN KEY ("workspace_id","message_id") REFERENCES "public"."messages"("workspace_id","id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "message_media_due_idx" ON "message_media" USING btree ("next_attempt_at") WHERE "message_media"."status" = 'pending';