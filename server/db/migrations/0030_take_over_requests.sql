CREATE TABLE "take_over_requests" (
	"workspace_id" text NOT NULL,
	"id" text NOT NULL,
	"chat_id" text NOT NULL,
	"requested_by" text NOT NULL,
	"held_by" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"closed_at" timestamp with time zone,
	CONSTRAINT "take_over_requests_workspace_id_id_pk" PRIMARY KEY("workspace_id","id")
);
--> statement-breakpoint
ALTER TABLE "take_over_requests" ADD CONSTRAINT "take_over_requests_workspace_id_workspaces_id_fk" FOREIGN KEY ("workspace_id") REFERENCES "public"."workspaces"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "take_over_requests" ADD CONSTRAINT "take_over_requests_workspace_id_chat_id_chats_workspace_id_id_fk" FOREIGN KEY ("workspace_id","chat_id") REFERENCES "public"."chats"("workspace_id","id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "take_over_requests" ADD CONSTRAINT "take_over_requests_workspace_id_requested_by_members_workspace_id_id_fk" FOREIGN KEY ("workspace_id","requested_by") REFERENCES "public"."members"("workspace_id","id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "take_over_requests" ADD CONSTRAINT "take_over_requests_workspace_id_held_by_members_workspace_id_id_fk" FOREIGN KEY ("workspace_id","held_by") REFERENCES "public"."members"("workspace_id","id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE UNIQUE INDEX "take_over_requests_open_key" ON "take_over_requests" USING btree ("workspace_id","chat_id","requested_by") WHERE "take_over_requests"."closed_at" is null;