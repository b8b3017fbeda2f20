CREATE TABLE "attempt_budgets" (
	"key_hash" text PRIMARY KEY NOT NULL,
	"spent" integer NOT NULL,
	"window_ends_at" timestamp with time zone NOT NULL
);
--> statement-breakpoint
CREATE INDEX "attempt_budgets_window_ends_at_idx" ON "attempt_budgets" USING btree ("window_ends_at");