-- pg_trgm ships with PostgreSQL (trusted since 13: a database owner may create it) and with PGlite (loaded by every opener, server/db/client.ts pgliteExtensions).
CREATE EXTENSION IF NOT EXISTS pg_trgm;--> statement-breakpoint
CREATE INDEX "chats_contact_name_trgm_idx" ON "chats" USING gin ("contact_name" gin_trgm_ops);--> statement-breakpoint
CREATE INDEX "chats_contact_phone_trgm_idx" ON "chats" USING gin ("contact_phone" gin_trgm_ops);--> statement-breakpoint
CREATE INDEX "messages_text_trgm_idx" ON "messages" USING gin ("text" gin_trgm_ops);
