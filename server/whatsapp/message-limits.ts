/** WhatsApp's limit on a text message's body (Cloud API `text.body`): the API refuses more, and the composers count to it. */
export const messageTextMaxLength = 4096;
