import { createContext, type ReactNode, useContext } from "react";

// The CRM simulator's stand-in for @hubspot/ui-extensions (vite.config.ts resolves the card's
// import of that package here, for the simulator's HubSpot page only): the same names, drawn as
// plain HTML instead of HubSpot's remote components, and `hubspot.extend` / `hubspot.fetch` as
// HubSpot's host provides them — the card's render function handed `{context, actions}`, and
// fetch going through HubSpot's signing proxy (here the demo portal's, see proxy.ts). Only the
// parts of the contract Switchboard's card uses, plus their nearest neighbours.

type Children = { children?: ReactNode };
type OpenIframeModal = (modal: { uri: string; width: number; height: number; title?: string; flush?: boolean }, onClose?: () => void) => void;

/** What HubSpot hands a crm.record.tab extension (hubspot.md §2; only the fields the simulator fills). */
export type ExtensionContext = {
  user: { id: number; email: string; firstName: string; lastName: string; emails: string[]; teams: []; permissions: []; locale: string };
  portal: { id: number; timezone: string };
  crm: { objectId: number; objectTypeId: string };
  location: "crm.record.tab";
  extension: { appId: number; appName: string; cardTitle: string };
};
export type ExtensionActions = {
  addAlert(alert: { type?: string; message: string; title?: string }): void;
  openIframeModal: OpenIframeModal;
  reloadPage(): void;
  refreshObjectProperties(): void;
  closeOverlay(id: string): void;
  copyTextToClipboard(text: string): Promise<void>;
};
export type ExtensionRender = (api: { context: ExtensionContext; actions: ExtensionActions }) => ReactNode;
export type ProxiedFetch = (
  url: string,
  options?: { method?: string; timeout?: number; body?: unknown; headers?: Record<string, string> },
) => Promise<Response>;

let registered: ExtensionRender | null = null;
const listeners = new Set<(render: ExtensionRender) => void>();
let proxy: ProxiedFetch = () => Promise.reject(new Error("hubspot.fetch is served by the simulator's HubSpot page"));

/** The simulator page installs HubSpot's proxy for the persona it simulates. */
export function installProxy(fetcher: ProxiedFetch) {
  proxy = fetcher;
}

/** The render function the card registered with hubspot.extend (once its module has run). */
export function onExtend(listener: (render: ExtensionRender) => void): () => void {
  if (registered) listener(registered);
  listeners.add(listener);
  return () => listeners.delete(listener);
}

export const hubspot = {
  extend<_Location extends string>(render: ExtensionRender) {
    registered = render;
    for (const listener of listeners) listener(render);
  },
  fetch: (url: string, options?: Parameters<ProxiedFetch>[1]) => {
    // hubspot.fetch accepts only an Authorization header (hubspot.md §2; 400 otherwise).
    const headers = Object.keys(options?.headers ?? {}).filter((name) => name.toLowerCase() !== "authorization");
    if (headers.length > 0)
      return Promise.resolve(new Response(JSON.stringify({ status: "error", message: "Only Authorization is allowed" }), { status: 400 }));
    return proxy(url, options);
  },
};

export const logger = { debug: console.debug, info: console.info, warn: console.warn, error: console.error };

const HostApi = createContext<{ context: ExtensionContext; actions: ExtensionActions } | null>(null);
export const HostApiProvider = HostApi.Provider;
export function useExtensionContext() {
  const api = useContext(HostApi);
  if (!api) throw new Error("outside the simulator's HubSpot host");
  return api.context;
}
export function useExtensionActions() {
  const api = useContext(HostApi);
  if (!api) throw new Error("outside the simulator's HubSpot host");
  return api.actions;
}

// ── Components: HubSpot's names and props, plain HTML ──

const gaps = { flush: 0, "extra-small": 4, xs: 4, small: 8, sm: 8, medium: 16, md: 16, large: 24, lg: 24, "extra-large": 32, xl: 32 } as Record<string, number>;

export function Flex({ children, direction = "row", gap = "flush", wrap, justify, align }: Children & Record<string, string | boolean | undefined>) {
  return (
    <div
      className="hs-flex"
      style={{
        display: "flex",
        flexDirection: direction === "column" ? "column" : "row",
        gap: gaps[String(gap)] ?? 0,
        flexWrap: wrap ? "wrap" : undefined,
        justifyContent: typeof justify === "string" ? justify : undefined,
        alignItems: typeof align === "string" ? align : undefined,
      }}
    >
      {children}
    </div>
  );
}
export const Box = ({ children }: Children) => <div className="hs-box">{children}</div>;
export const Inline = ({ children }: Children) => <div className="hs-inline">{children}</div>;
export const Tile = ({ children }: Children) => <section className="hs-tile">{children}</section>;
export const Divider = () => <hr className="hs-divider" />;
export const Heading = ({ children }: Children) => <h3 className="hs-heading">{children}</h3>;

export function Text({
  children,
  format,
  variant,
  inline,
}: Children & { format?: { fontWeight?: string; italic?: boolean }; variant?: string; inline?: boolean; truncate?: unknown }) {
  const Tag = inline ? "span" : "p";
  const content = format?.fontWeight === "bold" || format?.fontWeight === "demibold" ? <strong>{children}</strong> : children;
  return <Tag className={`hs-text${variant === "microcopy" ? " hs-microcopy" : ""}`}>{format?.italic ? <em>{content}</em> : content}</Tag>;
}

export function Button({
  children,
  onClick,
  variant = "secondary",
  disabled,
  type = "button",
  href,
}: Children & { onClick?: () => void; variant?: string; disabled?: boolean; type?: "button" | "submit" | "reset"; href?: string | { url: string } }) {
  if (href) {
    return (
      <a className={`hs-button hs-${variant}`} href={typeof href === "string" ? href : href.url} target="_blank" rel="noreferrer">
        {children}
      </a>
    );
  }
  return (
    <button className={`hs-button hs-${variant}`} type={type} disabled={disabled} onClick={() => onClick?.()}>
      {children}
    </button>
  );
}
export const LoadingButton = ({ loading, ...props }: Parameters<typeof Button>[0] & { loading?: boolean }) => (
  <Button {...props} disabled={props.disabled || loading} />
);
export const ButtonRow = ({ children }: Children) => <div className="hs-button-row">{children}</div>;

export function Link({ children, href, onClick }: Children & { href?: string | { url: string }; onClick?: () => void }) {
  const url = typeof href === "string" ? href : href?.url;
  if (!url)
    return (
      <button type="button" className="hs-link" onClick={() => onClick?.()}>
        {children}
      </button>
    );
  return (
    <a className="hs-link" href={url} target="_blank" rel="noreferrer" onClick={() => onClick?.()}>
      {children}
    </a>
  );
}

export function Alert({ children, title, variant = "info" }: Children & { title: string; variant?: string }) {
  return (
    <div className={`hs-alert hs-alert-${variant}`} role={variant === "danger" || variant === "error" ? "alert" : "status"}>
      <strong>{title}</strong> {children}
    </div>
  );
}

export function EmptyState({ children, title }: Children & { title?: string; layout?: string; flush?: boolean; imageWidth?: number; reverseOrder?: boolean }) {
  return (
    <section className="hs-empty-state" aria-label={title}>
      {title && <h3 className="hs-heading">{title}</h3>}
      {children}
    </section>
  );
}
export function ErrorState({ children, title }: Children & { title?: string; type?: string }) {
  return (
    <section className="hs-error-state" role="alert" aria-label={title}>
      {title && <h3 className="hs-heading">{title}</h3>}
      {children}
    </section>
  );
}
export function LoadingSpinner({ label }: { label: string; showLabel?: boolean; size?: string; layout?: string }) {
  return (
    <p className="hs-spinner" role="status" aria-busy="true">
      {label}
    </p>
  );
}

export const Tag = ({ children, variant = "default" }: Children & { variant?: string; onClick?: () => void }) => (
  <span className={`hs-tag hs-tag-${variant}`}>{children}</span>
);
export const StatusTag = ({ children, variant = "default" }: Children & { variant?: string; hollow?: boolean }) => (
  <span className={`hs-tag hs-status-${variant}`}>{children}</span>
);

export const Table = ({ children }: Children & { bordered?: boolean; flush?: boolean; paginated?: boolean }) => <table className="hs-table">{children}</table>;
export const TableHead = ({ children }: Children) => <thead>{children}</thead>;
export const TableBody = ({ children }: Children) => <tbody>{children}</tbody>;
export const TableFooter = ({ children }: Children) => <tfoot>{children}</tfoot>;
export const TableRow = ({ children }: Children) => <tr>{children}</tr>;
export const TableHeader = ({ children }: Children & { width?: unknown; align?: string }) => <th>{children}</th>;
export const TableCell = ({ children }: Children & { width?: unknown; align?: string }) => <td>{children}</td>;

export const List = ({ children, variant }: Children & { variant?: string }) =>
  variant === "ordered" ? <ol className="hs-list">{children}</ol> : <ul className="hs-list">{children}</ul>;
export const DescriptionList = ({ children }: Children & { direction?: string }) => <dl className="hs-description-list">{children}</dl>;
export const DescriptionListItem = ({ children, label }: Children & { label: string }) => (
  <div>
    <dt>{label}</dt>
    <dd>{children}</dd>
  </div>
);

type Option = { label: string; value: string | number };
export function Select({
  label,
  name,
  options,
  value,
  onChange,
}: {
  label: string;
  name: string;
  options: Option[];
  value?: string | number;
  onChange?: (value: string | number) => void;
  placeholder?: string;
  required?: boolean;
}) {
  return (
    <label className="hs-field">
      {label}
      <select
        name={name}
        value={value === undefined ? "" : String(value)}
        onChange={(event) => onChange?.(options.find((option) => String(option.value) === event.target.value)?.value ?? event.target.value)}
      >
        {options.map((option) => (
          <option key={String(option.value)} value={String(option.value)}>
            {option.label}
          </option>
        ))}
      </select>
    </label>
  );
}
type TextFieldProps = {
  label: string;
  name: string;
  value?: string;
  onChange?: (value: string) => void;
  placeholder?: string;
};
/** The props of a text field's control: its value as a string, and onChange given the new text. */
const textControl = ({ name, value, onChange }: TextFieldProps) => ({
  name,
  value: value ?? "",
  onChange: (event: { target: { value: string } }) => onChange?.(event.target.value),
});
export function Input(props: TextFieldProps) {
  return (
    <label className="hs-field">
      {props.label}
      <input {...textControl(props)} />
    </label>
  );
}
export function TextArea(props: TextFieldProps) {
  return (
    <label className="hs-field">
      {props.label}
      <textarea {...textControl(props)} />
    </label>
  );
}

// The rest of @hubspot/ui-extensions 0.17.0's components, drawn as a labelled box with their
// children, so a card using one still builds and shows in the simulator (the card's own tests,
// with HubSpot's createRenderer, check how they behave).
type Generic = Children & { label?: ReactNode; title?: ReactNode; text?: ReactNode };
function GenericComponent({ name, children, label, title, text }: Generic & { name: string }) {
  return (
    <div className="hs-generic" data-hs-component={name}>
      {title ?? label ?? text}
      {children}
    </div>
  );
}
export const Accordion = (props: Generic) => <GenericComponent name="Accordion" {...props} />;
export const AutoGrid = (props: Generic) => <GenericComponent name="AutoGrid" {...props} />;
export const BarChart = (props: Generic) => <GenericComponent name="BarChart" {...props} />;
export const Card = (props: Generic) => <GenericComponent name="Card" {...props} />;
export const Checkbox = (props: Generic) => <GenericComponent name="Checkbox" {...props} />;
export const CurrencyInput = (props: Generic) => <GenericComponent name="CurrencyInput" {...props} />;
export const DateInput = (props: Generic) => <GenericComponent name="DateInput" {...props} />;
export const Dropdown = (props: Generic) => <GenericComponent name="Dropdown" {...props} />;
export const Form = (props: Generic) => <GenericComponent name="Form" {...props} />;
export const Icon = (props: Generic) => <GenericComponent name="Icon" {...props} />;
export const Illustration = (props: Generic) => <GenericComponent name="Illustration" {...props} />;
export const Image = (props: Generic) => <GenericComponent name="Image" {...props} />;
export const LineChart = (props: Generic) => <GenericComponent name="LineChart" {...props} />;
export const Modal = (props: Generic) => <GenericComponent name="Modal" {...props} />;
export const ModalBody = (props: Generic) => <GenericComponent name="ModalBody" {...props} />;
export const ModalFooter = (props: Generic) => <GenericComponent name="ModalFooter" {...props} />;
export const MultiSelect = (props: Generic) => <GenericComponent name="MultiSelect" {...props} />;
export const NumberInput = (props: Generic) => <GenericComponent name="NumberInput" {...props} />;
export const Panel = (props: Generic) => <GenericComponent name="Panel" {...props} />;
export const PanelBody = (props: Generic) => <GenericComponent name="PanelBody" {...props} />;
export const PanelFooter = (props: Generic) => <GenericComponent name="PanelFooter" {...props} />;
export const PanelSection = (props: Generic) => <GenericComponent name="PanelSection" {...props} />;
export const ProgressBar = (props: Generic) => <GenericComponent name="ProgressBar" {...props} />;
export const RadioButton = (props: Generic) => <GenericComponent name="RadioButton" {...props} />;
export const ScoreCircle = (props: Generic) => <GenericComponent name="ScoreCircle" {...props} />;
export const SearchInput = (props: Generic) => <GenericComponent name="SearchInput" {...props} />;
export const Spacer = (props: Generic) => <GenericComponent name="Spacer" {...props} />;
export const Stack = (props: Generic) => <GenericComponent name="Stack" {...props} />;
export const Statistics = (props: Generic) => <GenericComponent name="Statistics" {...props} />;
export const StatisticsItem = (props: Generic) => <GenericComponent name="StatisticsItem" {...props} />;
export const StatisticsTrend = (props: Generic) => <GenericComponent name="StatisticsTrend" {...props} />;
export const StepIndicator = (props: Generic) => <GenericComponent name="StepIndicator" {...props} />;
export const StepperInput = (props: Generic) => <GenericComponent name="StepperInput" {...props} />;
export const Tab = (props: Generic) => <GenericComponent name="Tab" {...props} />;
export const Tabs = (props: Generic) => <GenericComponent name="Tabs" {...props} />;
export const Textarea = TextArea;
export const TimeInput = (props: Generic) => <GenericComponent name="TimeInput" {...props} />;
export const Toggle = (props: Generic) => <GenericComponent name="Toggle" {...props} />;
export const ToggleGroup = (props: Generic) => <GenericComponent name="ToggleGroup" {...props} />;
export const Tooltip = (props: Generic) => <GenericComponent name="Tooltip" {...props} />;
