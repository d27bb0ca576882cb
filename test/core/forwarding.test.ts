import { describe, expect, it } from "vitest";
import { forwardedHeaders } from "../../src/core/delivery/forwarding.js";

describe("forwardedHeaders", () => {
  it("keeps end-to-end headers as named, drops hop-by-hop ones and extends the X-Forwarded-* chain", () => {
    const headers = forwardedHeaders({
      method: "POST",
      rawHeaders: [
        "Host",
        "tunnel.example",
        "Connection",
        "keep-alive",
        "Content-Length",
        "12",
        "Transfer-Encoding",
        "chunked",
        "Authorization",
        "Signature abc",
        "X-Custom",
        "one",
        "x-custom",
        "two",
        "X-Forwarded-For",
        "203.0.113.7",
        "X-Forwarded-Proto",
        "https",
      ],
      body: new Uint8Array(),
      remoteAddress: "127.0.0.1",
      host: "tunnel.example",
    });
    expect(headers).toEqual({
      Authorization: "Signature abc",
      "X-Custom": "one, two",
      "X-Forwarded-For": "203.0.113.7, 127.0.0.1",
      "X-Forwarded-Host": "tunnel.example",
      "X-Forwarded-Proto": "https",
    });
  });
});
