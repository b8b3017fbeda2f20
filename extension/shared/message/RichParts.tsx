import { isMaskedPhone } from "../masked-phone";
import type { ContactCard, InteractiveReply, SharedLocation } from "./content-types";
import { mapLink } from "./content-words";

/** A shared place: its name and address, and the pin on OpenStreetMap. */
export function LocationCard({ location }: { location: SharedLocation }) {
  return (
    <div className="message-location">
      <span className="message-location-pin" aria-hidden="true">
        📍
      </span>
      <div>
        <strong>{location.name ?? "Shared location"}</strong>
        {location.address && <div className="message-location-address">{location.address}</div>}
        <a href={mapLink(location)} target="_blank" rel="noopener noreferrer">
          Open map
        </a>
      </div>
    </div>
  );
}

/** Contact cards the customer shared: each name with its phone numbers (a masked one as text, never a tel: link). */
export function ContactCards({ contacts }: { contacts: ContactCard[] }) {
  return (
    <ul className="message-contacts" aria-label="Shared contacts">
      {contacts.map((contact, index) => (
        // Cards have no id of their own; their order within the message never changes.
        // biome-ignore lint/suspicious/noArrayIndexKey: see above.
        <li key={index} className="message-contact">
          <strong>{contact.name}</strong>
          {contact.phones.map((phone) =>
            isMaskedPhone(phone) ? (
              <span key={phone}>{phone}</span>
            ) : (
              <a key={phone} href={`tel:${phone.replace(/[^\d+]/g, "")}`}>
                {phone}
              </a>
            ),
          )}
        </li>
      ))}
    </ul>
  );
}

/** A tap on one of the business's buttons or list rows. */
export function InteractiveAnswer({ interactive }: { interactive: InteractiveReply }) {
  return (
    <p className="message-interactive">
      Chose: <strong dir="auto">{interactive.title}</strong>
    </p>
  );
}
