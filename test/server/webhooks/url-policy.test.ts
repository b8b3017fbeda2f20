import { classifyAddress } from "../../../server/webhooks/ip-ranges";
import { checkWebhookUrl, refusedResolvedHost, type UrlPolicy, webhookUrlPolicy } from "../../../server/webhooks/url-policy";

const production = webhookUrlPolicy({ nodeEnv: "production" });
const development = webhookUrlPolicy({ nodeEnv: "development" });

describe("policy per environment", () => {
  it.each([
    ["production", { requireHttps: true, allowLoopback: false }],
    ["development", { requireHttps: false, allowLoopback: true }],
    ["test", { requireHttps: false, allowLoopback: true }],
  ] as const)("%s", (nodeEnv, policy) => {
    expect(webhookUrlPolicy({ nodeEnv })).toEqual(policy);
  });
});

describe("classifyAddress", () => {
  it.each([
    ["93.184.216.34", "public"],
    ["8.8.8.8", "public"],
    ["0.0.0.0", "unspecified"],
    ["0.1.2.3", "unspecified"],
    ["127.0.0.1", "loopback"],
    ["127.255.255.254", "loopback"],
    ["10.1.2.3", "private"],
    ["172.16.0.1", "private"],
    ["172.31.255.255", "private"],
    ["172.32.0.1", "public"],
    ["192.168.1.1", "private"],
    ["100.64.0.1", "private"],
    ["169.254.169.254", "link-local"],
    ["224.0.0.1", "multicast"],
    ["255.255.255.255", "reserved"],
    ["198.18.0.1", "reserved"],
    ["::", "unspecified"],
    ["::1", "loopback"],
    ["[::1]", "loopback"],
    ["0:0:0:0:0:0:0:1", "loopback"],
    ["::ffff:127.0.0.1", "loopback"],
    ["::ffff:7f00:1", "loopback"],
    ["[::ffff:a00:1]", "private"],
    ["::ffff:169.254.169.254", "link-local"],
    ["::ffff:93.184.216.34", "public"],
    ["::127.0.0.1", "reserved"],
    ["64:ff9b::10.0.0.1", "private"],
    ["64:ff9b::93.184.216.34", "public"],
    ["2002:0a00:0001::1", "private"],
    ["2002:5db8:d822::1", "public"],
    ["fc00::1", "private"],
    ["fd12:3456:789a::1", "private"],
    ["fe80::1", "link-local"],
    ["fe80::1%eth0", "link-local"],
    ["febf::1", "link-local"],
    ["fec0::1", "private"],
    ["ff02::1", "multicast"],
    ["2001:db8::1", "reserved"],
    ["2001:0:4136:e378::1", "reserved"],
    ["2606:4700:4700::1111", "public"],
    ["2a00:1450:4001:80b::200e", "public"],
    ["example.com", null],
    ["1.2.3", null],
    ["::gg", null],
  ])("%s → %s", (address, kind) => {
    expect(classifyAddress(address)).toBe(kind);
  });
});

type UrlCase = { url: string; policy: UrlPolicy; reason: string | null };
const urlCases: UrlCase[] = [
  { url: "https://hooks.example.com/switchboard", policy: production, reason: null },
  { url: "https://93.184.216.34:8443/hook?x=1", policy: production, reason: null },
  { url: "https://[2606:4700:4700::1111]/hook", policy: production, reason: null },
  { url: "http://hooks.example.com/switchboard", policy: production, reason: "must use https" },
  { url: "http://hooks.example.com/switchboard", policy: development, reason: null },
  { url: "https://127.0.0.1/hook", policy: production, reason: "must not point at a loopback address" },
  { url: "http://127.0.0.1:4000/hook", policy: development, reason: null },
  { url: "https://2130706433/hook", policy: production, reason: "must not point at a loopback address" },
  { url: "https://0x7f.1/hook", policy: production, reason: "must not point at a loopback address" },
  { url: "https://localhost/hook", policy: production, reason: "must not point at localhost" },
  { url: "https://api.localhost./hook", policy: production, reason: "must not point at localhost" },
  { url: "http://localhost:4000/hook", policy: development, reason: null },
  { url: "https://[::1]/hook", policy: production, reason: "must not point at a loopback address" },
  { url: "http://[::1]:4000/hook", policy: development, reason: null },
  { url: "https://[::ffff:127.0.0.1]/hook", policy: production, reason: "must not point at a loopback address" },
  { url: "https://[::ffff:10.0.0.1]/hook", policy: production, reason: "must not point at a private address" },
  { url: "https://10.0.0.1/hook", policy: production, reason: "must not point at a private address" },
  { url: "http://10.0.0.1/hook", policy: development, reason: "must not point at a private address" },
  { url: "https://192.168.0.10/hook", policy: production, reason: "must not point at a private address" },
  { url: "https://169.254.169.254/latest/meta-data", policy: production, reason: "must not point at a link-local address" },
  { url: "http://169.254.169.254/latest/meta-data", policy: development, reason: "must not point at a link-local address" },
  { url: "https://[fe80::1]/hook", policy: production, reason: "must not point at a link-local address" },
  { url: "https://[fd00::1]/hook", policy: production, reason: "must not point at a private address" },
  { url: "https://0.0.0.0/hook", policy: production, reason: "must not point at an unspecified address" },
  { url: "http://0.0.0.0:4000/hook", policy: development, reason: "must not point at an unspecified address" },
  { url: "https://[::]/hook", policy: production, reason: "must not point at an unspecified address" },
  { url: "ftp://hooks.example.com/x", policy: development, reason: "must be an http(s) URL" },
  { url: "javascript:alert(1)", policy: development, reason: "must be an http(s) URL" },
  { url: "/relative/path", policy: development, reason: "must be an absolute URL" },
  { url: "not a url", policy: development, reason: "must be an absolute URL" },
  { url: "https://user:pw@hooks.example.com/x", policy: production, reason: "must not contain a user name or password" },
  { url: `https://hooks.example.com/${"a".repeat(1974)}`, policy: production, reason: null },
  { url: `https://hooks.example.com/${"a".repeat(1975)}`, policy: production, reason: "must be at most 2000 characters" },
];

describe("checkWebhookUrl", () => {
  it.each(urlCases)("$url ($policy.requireHttps) → $reason", ({ url, policy, reason }) => {
    const verdict = checkWebhookUrl(url, policy);
    expect(verdict.ok ? null : verdict.reason).toBe(reason);
  });
});

describe("refusedResolvedHost (delivery time)", () => {
  const lookupAnswering = (answers: Record<string, string[]>) => async (hostname: string) => {
    const addresses = answers[hostname];
    if (!addresses) throw Object.assign(new Error("not found"), { code: "ENOTFOUND" });
    return addresses;
  };
  const dns = lookupAnswering({
    "hooks.example.com": ["93.184.216.34", "2606:2800:220:1:248:1893:25c8:1946"],
    "rebound.example.com": ["93.184.216.34", "10.0.0.7"],
    "metadata.example.com": ["169.254.169.254"],
    "mapped.example.com": ["::ffff:192.168.0.1"],
    "loopback.example.com": ["127.0.0.1"],
    "empty.example.com": [],
  });

  it.each([
    { url: "https://hooks.example.com/x", policy: production, reason: null },
    { url: "https://rebound.example.com/x", policy: production, reason: "rebound.example.com resolves to 10.0.0.7, a private address" },
    { url: "https://metadata.example.com/x", policy: production, reason: "metadata.example.com resolves to 169.254.169.254, a link-local address" },
    { url: "https://mapped.example.com/x", policy: production, reason: "mapped.example.com resolves to ::ffff:192.168.0.1, a private address" },
    { url: "https://loopback.example.com/x", policy: production, reason: "loopback.example.com resolves to 127.0.0.1, a loopback address" },
    { url: "http://loopback.example.com/x", policy: development, reason: null },
    { url: "http://rebound.example.com/x", policy: development, reason: "rebound.example.com resolves to 10.0.0.7, a private address" },
    { url: "https://missing.example.com/x", policy: production, reason: "DNS lookup of missing.example.com failed (ENOTFOUND)" },
    { url: "https://empty.example.com/x", policy: production, reason: "DNS lookup of empty.example.com returned no address" },
    { url: "http://hooks.example.com/x", policy: production, reason: "URL must use https" },
    { url: "https://10.0.0.1/x", policy: production, reason: "URL must not point at a private address" },
    { url: "http://127.0.0.1:9/x", policy: development, reason: null },
  ])("$url → $reason", async ({ url, policy, reason }) => {
    expect(await refusedResolvedHost(url, policy, dns)).toBe(reason);
  });

  it("uses the system resolver by default (localhost is loopback)", async () => {
    expect(await refusedResolvedHost("https://localhost./x", { requireHttps: true, allowLoopback: false })).toMatch(/^URL must not point at localhost/);
    expect(await refusedResolvedHost("http://localhost/x", development)).toBeNull();
  });
});
