import type { Reaction } from "./content-types";

/** The emoji a member picks from: WhatsApp's own quick reactions. */
export const quickReactions = ["👍", "❤️", "😂", "😮", "😢", "🙏"] as const;

export type ReactionGroup = { emoji: string; names: string[]; mine: boolean };

/** Reactions by emoji, in the order first given; the viewer is "You". */
export function groupReactions(reactions: Reaction[], viewer: { memberId: string }, customerName: string): ReactionGroup[] {
  const groups = new Map<string, ReactionGroup>();
  for (const reaction of reactions) {
    const group = groups.get(reaction.emoji) ?? { emoji: reaction.emoji, names: [], mine: false };
    const mine = reaction.by !== "customer" && reaction.by.memberId === viewer.memberId;
    group.names.push(reaction.by === "customer" ? customerName : mine ? "You" : reaction.by.name);
    group.mine ||= mine;
    groups.set(reaction.emoji, group);
  }
  return [...groups.values()];
}

/** "Grace Hopper and You reacted 👍" */
export function reactionLabel(group: ReactionGroup): string {
  const names = group.names.length > 1 ? `${group.names.slice(0, -1).join(", ")} and ${group.names.at(-1)}` : (group.names[0] ?? "");
  return `${names} reacted ${group.emoji}`;
}

/** The viewer's emoji on the message, if any. */
export function myReaction(reactions: Reaction[], viewer: { memberId: string }): string | null {
  return reactions.find((reaction) => reaction.by !== "customer" && reaction.by.memberId === viewer.memberId)?.emoji ?? null;
}

/** The reactions once the viewer's is set to `emoji` (one per person, as WhatsApp keeps them) or removed (null). */
export function withMyReaction(reactions: Reaction[], viewer: { memberId: string; name: string }, emoji: string | null): Reaction[] {
  const others = reactions.filter((reaction) => reaction.by === "customer" || reaction.by.memberId !== viewer.memberId);
  return emoji ? [...others, { emoji, by: { memberId: viewer.memberId, name: viewer.name } }] : others;
}
