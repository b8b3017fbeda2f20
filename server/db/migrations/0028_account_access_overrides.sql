CREATE TABLE "account_access_overrides" (
	"workspace_id" text NOT NULL,
	"account_id" text NOT NULL,
	"subject_type" text NOT NULL,
	"subject_id" text NOT NULL,
	"access" text NOT NULL,
	"set_by" text NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "account_access_overrides_workspace_id_account_id_subject_type_subject_id_pk" PRIMARY KEY("workspace_id","account_id","subject_type","subject_id")
);
--> statement-breakpoint
ALTER TABLE "account_access_overrides" ADD CONSTRAINT "account_access_overrides_workspace_id_workspaces_id_fk" FOREIGN KEY ("workspace_id") REFERENCES "public"."workspaces"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "account_access_overrides" ADD CONSTRAINT "account_access_overrides_workspace_id_account_id_whatsapp_accounts_workspace_id_id_fk" FOREIGN KEY ("workspace_id","account_id") REFERENCES "public"."whatsapp_accounts"("workspace_id","id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "account_access_overrides_subject_idx" ON "account_access_overrides" USING btree ("workspace_id","subject_type","subject_id");