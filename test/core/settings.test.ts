// The one resolver for target settings: headers from a config file and flags, checked and merged
// case-insensitively; and how URLs with a password are shown.
import { describe, expect, it } from "vitest";
import { checkHeaderName, resolveTarget } from "../../src/core/settings.js";
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
