/** The custom modal's id in Developer Hub; the panel opens it with OPEN_MODAL `action_id`. */
export const startChatModalId = "switchboard-start-chat";
