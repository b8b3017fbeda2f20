import type { Reaction } from "../../../../extension/shared/message/content-types";
import { groupReactions, myReaction, reactionLabel, withMyReaction } from "../../../../extension/shared/message/reaction-words";

// Reactions under a message (extension/shared/message/reaction-words.ts): grouped by emoji, the
// viewer as "You", one reaction per person as WhatsApp keeps them.

const me = { memberId: "mem_me", name: "Alex Agent" };
const reactions: Reaction[] = [
  { emoji: "👍", by: "customer" },
  { emoji: "❤️", by: { memberId: "mem_other", name: "Tess Teammate" } },
  { emoji: "👍", by: { memberId: "mem_me", name: "Alex Agent" } },
];

describe("reaction words", () => {
  it("groups reactions by emoji in the order first given, the viewer as You", () => {
    expect(groupReactions(reactions, me, "Grace Hopper")).toEqual([
      { emoji: "👍", names: ["Grace Hopper", "You"], mine: true },
      { emoji: "❤️", names: ["Tess Teammate"], mine: false },
    ]);
  });

  it.each([
    [{ emoji: "👍", names: ["Grace Hopper"], mine: false }, "Grace Hopper reacted 👍"],
    [{ emoji: "👍", names: ["Grace Hopper", "You"], mine: true }, "Grace Hopper and You reacted 👍"],
    [{ emoji: "🙏", names: ["Ada", "Tess", "You"], mine: true }, "Ada, Tess and You reacted 🙏"],
  ])("labels %j as %s", (group, label) => {
    expect(reactionLabel(group)).toBe(label);
  });

  it("finds the viewer's own emoji", () => {
    expect(myReaction(reactions, me)).toBe("👍");
    expect(myReaction(reactions, { memberId: "mem_nobody" })).toBeNull();
  });

  it("replaces the viewer's reaction, keeps everyone else's, and removes it", () => {
    expect(withMyReaction(reactions, me, "😂")).toEqual([
      { emoji: "👍", by: "customer" },
      { emoji: "❤️", by: { memberId: "mem_other", name: "Tess Teammate" } },
      { emoji: "😂", by: { memberId: "mem_me", name: "Alex Agent" } },
    ]);
    expect(withMyReaction(reactions, me, null)).toEqual([
      { emoji: "👍", by: "customer" },
      { emoji: "❤️", by: { memberId: "mem_other", name: "Tess Teammate" } },
    ]);
  });
});
