import {
  Button,
  EmptyState,
  ErrorState,
  Flex,
  hubspot,
  LoadingSpinner,
  Table,
  TableBody,
  TableCell,
  TableHead,
  TableHeader,
  TableRow,
  Tag,
  Text,
} from "@hubspot/ui-extensions";
import { useCallback, useEffect, useState } from "react";
import { type CardChat, type CardState, loadCardState } from "./card-api.ts";

// Switchboard's app card on contact and deal records (crm.record.tab). It runs in HubSpot's
// worker and uses only @hubspot/ui-extensions components; the conversation itself is
// Switchboard's panel, opened in HubSpot's iframe modal behind a short-lived signed address.

type Record = { objectTypeId: string; objectId: number | string };
type OpenIframeModal = (modal: { uri: string; width: number; height: number; title?: string; flush?: boolean }, onClose?: () => void) => void;
export type CardProps = { record: Record; openIframeModal: OpenIframeModal };

hubspot.extend<"crm.record.tab">(({ context, actions }) => (
  <WhatsAppCard record={{ objectTypeId: context.crm.objectTypeId, objectId: context.crm.objectId }} openIframeModal={actions.openIframeModal} />
));

export function WhatsAppCard({ record, openIframeModal }: CardProps) {
  const [view, setView] = useState<{ kind: "loading" } | { kind: "loaded"; card: CardState } | { kind: "failed"; message: string }>({ kind: "loading" });
  const { objectTypeId, objectId } = record;
  const load = useCallback(() => {
    setView({ kind: "loading" });
    loadCardState({ objectTypeId, objectId }).then(
      (card) => setView({ kind: "loaded", card }),
      (error: unknown) => setView({ kind: "failed", message: error instanceof Error ? error.message : String(error) }),
    );
  }, [objectTypeId, objectId]);
  useEffect(load, [load]);

  if (view.kind === "loading") return <LoadingSpinner label="Loading WhatsApp chats" />;
  if (view.kind === "failed") {
    return (
      <ErrorState title="WhatsApp chats could not be loaded">
        <Text>{view.message}</Text>
        <Button onClick={load}>Try again</Button>
      </ErrorState>
    );
  }
  const { card } = view;
  // The modal's own pages (sign-in, conversation) change what the card shows: reload when it closes.
  const open = (uri: string, title: string) => openIframeModal({ uri, width: 900, height: 720, title, flush: true }, load);
  switch (card.state) {
    case "not_installed":
      return (
        <EmptyState title="Switchboard is not connected to this HubSpot account" layout="vertical">
          <Text>{card.detail}</Text>
        </EmptyState>
      );
    case "link_required":
      return (
        <EmptyState title="Sign in to Switchboard once" layout="vertical">
          <Text>Link your HubSpot user to your Switchboard account to see and answer this record's WhatsApp chats here.</Text>
          <Button variant="primary" onClick={() => open(card.linkUri, "Sign in to Switchboard")}>
            Sign in to Switchboard
          </Button>
        </EmptyState>
      );
    case "ready":
      return (
        <ChatSummary
          memberName={card.memberName}
          chats={card.chats}
          moreChats={card.moreChats ?? 0}
          sendFrom={card.sendFrom}
          onOpen={() => open(card.conversationUri, "WhatsApp")}
        />
      );
  }
}

type SummaryProps = { memberName: string; chats: CardChat[]; moreChats: number; sendFrom: string[]; onOpen(): void };

function ChatSummary({ memberName, chats, moreChats, sendFrom, onOpen }: SummaryProps) {
  return (
    <Flex direction="column" gap="sm">
      {chats.length === 0 ? (
        <Text>No WhatsApp chats with this record that you may see yet.</Text>
      ) : (
        <Table bordered={true}>
          <TableHead>
            <TableRow>
              <TableHeader>Customer</TableHeader>
              <TableHeader>Line</TableHeader>
              <TableHeader>Last message</TableHeader>
            </TableRow>
          </TableHead>
          <TableBody>
            {chats.map((chat) => (
              <TableRow key={chat.id}>
                <TableCell>
                  <Text format={{ fontWeight: "demibold" }}>{chat.contactName ?? chat.phone}</Text>
                  <Text variant="microcopy">{chat.phone}</Text>
                </TableCell>
                <TableCell>
                  <Text>{chat.accountLabel}</Text>
                  {chat.responsible && <Tag variant="default">{chat.responsible}</Tag>}
                </TableCell>
                <TableCell>
                  <Text truncate={true}>{chat.lastMessage ? `${chat.lastMessage.direction === "in" ? "" : "You: "}${chat.lastMessage.text}` : "—"}</Text>
                </TableCell>
              </TableRow>
            ))}
          </TableBody>
        </Table>
      )}
      {moreChats > 0 && <Text>{`And ${moreChats} more in the conversation.`}</Text>}
      <Text variant="microcopy">
        {sendFrom.length > 0 ? `You can write from ${sendFrom.join(", ")}.` : "Your role lets you read these chats, not write from any line."} Signed in to
        Switchboard as {memberName}.
      </Text>
      <Flex direction="row" gap="sm">
        <Button variant="primary" onClick={onOpen}>
          Open conversation
        </Button>
      </Flex>
    </Flex>
  );
}
