// The one resolver for target settings: headers from a config file and flags, checked and merged
// case-insensitively; and how URLs with a password are shown.
import { describe, expect, it } from "vitest";
import { checkHeaderName, redactUrls, resolveTarget, withoutPassword } from "../../src/core/settings.js";
import { UsageError } from "../../src/core/errors.js";

describe("headers", () => {
  it("a flag replaces a config header of the same name, whatever the case", () => {
    const target = resolveTarget({ flags: { headers: { "x-a": "flag" } }, env: {}, file: { headers: { "X-A": "file", "X-B": "file" } } });
    expect(target.headers).toEqual({ "x-a": "flag", "x-b": "file" });
  });

  it.each(["Content-Length", "transfer-encoding", "Connection", "Keep-Alive", "Upgrade", "Expect", "TE", "Trailer"])(
    "%s is the connection's own: refused",
    (name) => {
      expect(() => checkHeaderName(name, "--header")).toThrow(UsageError);
      expect(() => resolveTarget({ flags: {}, env: {}, file: { headers: { [name]: "1" } } })).toThrow(`config headers cannot set ${name}`);
    },
  );

  it.each(["Authorization", "Host", "X-Trace", "Accept"])("%s may be set", (name) => {
    expect(() => checkHeaderName(name, "--header")).not.toThrow();
  });
});

describe("redactUrls", () => {
  it.each([
    ["http://user:hunter2-url-password@host/x", "http://user:hu…rd (20 chars)@host/x"],
    ["error: could not reach https://u:p%40ss@h:8080/: refused", "error: could not reach https://u:**** (4 chars)@h:8080/: refused"],
    ["two: http://a:secret1@h1/ and http://b:secret2@h2/", "two: http://a:**** (7 chars)@h1/ and http://b:**** (7 chars)@h2/"],
    // The wizard's "equivalent command line" quotes the URL.
    ["xsolla-hooks send payment --url 'http://u:topsecret-pass@h/'", "xsolla-hooks send payment --url 'http://u:to…ss (14 chars)@h/'"],
    ["no password: http://user@host/ http://host/?a=b:c@d", "no password: http://user@host/ http://host/?a=b:c@d"],
  ])("%s", (text, shown) => {
    expect(redactUrls(text)).toBe(shown);
  });
});

describe("withoutPassword", () => {
  it("drops the password and keeps the rest of the URL", () => {
    expect(withoutPassword("https://user:p4ss@h.example/webhook?x=1")).toBe("https://user@h.example/webhook?x=1");
    expect(withoutPassword("http://localhost:3000/webhook")).toBe("http://localhost:3000/webhook");
    expect(withoutPassword("not a url")).toBe("not a url");
  });
});
