// The proposed shape of ingestInboundMessage: the whole first-contact-or-follow-up write as one
// statement (one round trip, atomic on its own, no BEGIN/COMMIT), with the same outcome as
// server/inbox/ingest.ts — contact found or created (name kept fresh), chat found or created and
// its activity, preview and 24-hour window moved forward, the message stored once per wamid, a
// pending delivery for each subscribed webhook. (Not the Pipedrive log job emitInboxEvent gained
// meanwhile: one more INSERT … SELECT that would fold into the same statement.)
// The upserts' DO UPDATE returns the row even when a concurrent webhook created it first.
// Parameters: $1 workspace, $2 account, $3 phone (E.164), $4 contact name, $5/$6/$7 new contact,
// chat and message ids, $8 wamid, $9 text, $10 received at.

const upsertAndInsert = `with contact as (
  insert into contacts (workspace_id, id, phone, name) values ($1, $5, $3, $4)
  on conflict (workspace_id, phone) where phone is not null
  do update set name = coalesce(excluded.name, contacts.name)
  returning id, phone, name
), chat as (
  insert into chats (workspace_id, id, account_id, contact_id, contact_phone, contact_name, last_message_at, last_message_preview, window_open_until)
  select $1, $6, $2, contact.id, contact.phone, contact.name, $10::timestamptz, left($9, 120), $10::timestamptz + interval '24 hours' from contact
  on conflict (workspace_id, account_id, contact_id) do update set
    last_message_at = greatest(chats.last_message_at, excluded.last_message_at),
    last_message_preview = case when chats.last_message_at <= excluded.last_message_at then excluded.last_message_preview else chats.last_message_preview end,
    window_open_until = greatest(coalesce(chats.window_open_until, '-infinity'), excluded.window_open_until)
  returning id
), message as (
  insert into messages (workspace_id, id, chat_id, direction, text, status, provider_message_id, created_at)
  select $1, $7, chat.id, 'in', $9, 'received', $8, $10::timestamptz from chat
  on conflict do nothing
  returning id, chat_id
), deliveries as (
  insert into webhook_deliveries (workspace_id, id, webhook_id, event, payload)
  select $1, 'dlv_' || md5(message.id || webhooks.id), webhooks.id, 'message.created',
    jsonb_build_object('type', 'message.created', 'occurredAt', now(),
      'data', jsonb_build_object('message', jsonb_build_object('id', message.id, 'chatId', message.chat_id, 'direction', 'in', 'text', $9::text, 'status', 'received', 'createdAt', $10::timestamptz)))
  from message join webhooks on webhooks.workspace_id = $1 and webhooks.events @> '["message.created"]'
)`;

/** One round trip, NOTIFY inside (as today, the event in the message's transaction). */
export const singleStatementIngestWithNotify = `${upsertAndInsert}
select message.id, message.chat_id, pg_notify('switchboard_events', json_build_object('type', 'message.created', 'workspaceId', $1::text, 'chatId', message.chat_id, 'messageId', message.id)::text) from message`;

/** One round trip, the event published afterwards (coalesced, outside the message's transaction). */
export const singleStatementIngest = `${upsertAndInsert}
select message.id, message.chat_id from message`;

/**
 * The batched form: many webhooks' messages of one workspace in one statement, parameters as
 * parallel arrays ($2 … $10, one element per message). Within a batch a sender's contact and chat
 * are written once (DO UPDATE may not touch a row twice), the chat taking the newest message.
 * Parameters: $1 workspace, then arrays of account, phone, name, new contact id, new chat id,
 * message id, wamid, text, received at.
 */
export const batchedIngest = `with input as (
  select * from unnest($2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[], $8::text[], $9::text[], $10::timestamptz[])
    as t(account_id, phone, name, new_contact_id, new_chat_id, message_id, wamid, text, received_at)
), contact as (
  insert into contacts (workspace_id, id, phone, name)
  select distinct on (phone) $1, new_contact_id, phone, name from input order by phone, received_at desc
  on conflict (workspace_id, phone) where phone is not null
  do update set name = coalesce(excluded.name, contacts.name)
  returning id, phone, name
), latest as (
  select distinct on (input.account_id, contact.id) input.account_id, contact.id as contact_id, contact.phone, contact.name, input.new_chat_id, input.text, input.received_at
  from input join contact on contact.phone = input.phone
  order by input.account_id, contact.id, input.received_at desc, input.message_id desc
), chat as (
  insert into chats (workspace_id, id, account_id, contact_id, contact_phone, contact_name, last_message_at, last_message_preview, window_open_until)
  select $1, new_chat_id, account_id, contact_id, phone, name, received_at, left(text, 120), received_at + interval '24 hours' from latest
  on conflict (workspace_id, account_id, contact_id) do update set
    last_message_at = greatest(chats.last_message_at, excluded.last_message_at),
    last_message_preview = case when chats.last_message_at <= excluded.last_message_at then excluded.last_message_preview else chats.last_message_preview end,
    window_open_until = greatest(coalesce(chats.window_open_until, '-infinity'), excluded.window_open_until)
  returning id, account_id, contact_id
), message as (
  insert into messages (workspace_id, id, chat_id, direction, text, status, provider_message_id, created_at)
  select $1, input.message_id, chat.id, 'in', input.text, 'received', input.wamid, input.received_at
  from input join contact on contact.phone = input.phone join chat on chat.account_id = input.account_id and chat.contact_id = contact.id
  on conflict do nothing
  returning id, chat_id, text, created_at
), deliveries as (
  insert into webhook_deliveries (workspace_id, id, webhook_id, event, payload)
  select $1, 'dlv_' || md5(message.id || webhooks.id), webhooks.id, 'message.created',
    jsonb_build_object('type', 'message.created', 'occurredAt', now(),
      'data', jsonb_build_object('message', jsonb_build_object('id', message.id, 'chatId', message.chat_id, 'direction', 'in', 'text', message.text, 'status', 'received', 'createdAt', message.created_at)))
  from message join webhooks on webhooks.workspace_id = $1 and webhooks.events @> '["message.created"]'
)
select id, chat_id from message`;
