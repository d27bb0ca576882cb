// Webhook handlers written for the tests, right and wrong in the ways real handlers are. They share
// no code with xsolla-hooks: signatures are checked here with node:crypto directly.
import { createHash } from "node:crypto";
import { startLoopback, type LoopbackServer } from "./loopback.js";

export interface HandlerFlaws {
  /** raw: hash the bytes received; reserialize: hash JSON.stringify(JSON.parse(body)), as Express code often does; none: accept any signature. */
  verify?: "raw" | "reserialize" | "none";
  /** Answer 409 to a transaction it has already processed, instead of the first answer again. */
  rejectDuplicates?: boolean;
  /** Answer 204 to user_validation for any user. */
  acceptUnknownUsers?: boolean;
  /** Wait this long before answering the first request. */
  slowFirstMs?: number;
  /** Rejection statuses: docs (400) or sdk (401/422). */
  statuses?: "docs" | "sdk";
}

const sha1 = (text: Buffer | string, secret: string) => createHash("sha1").update(text).update(secret).digest("hex");

export function startHandler(secret: string, flaws: HandlerFlaws = {}): Promise<LoopbackServer> {
  const seen = new Set<string>();
  const reject = (code: string) => ({
    status: flaws.statuses === "sdk" ? (code === "INVALID_SIGNATURE" ? 401 : 422) : 400,
    body: JSON.stringify({ error: { code, message: code } }),
  });
  return startLoopback(async (req, res, index) => {
    if (index === 0 && flaws.slowFirstMs) await new Promise((r) => setTimeout(r, flaws.slowFirstMs));
    const answer = (() => {
      // eslint-disable-next-line @typescript-eslint/no-explicit-any -- a test handler pokes at whatever JSON arrives
      let parsed: Record<string, any> | undefined;
      try {
        parsed = JSON.parse(req.body.toString("utf8"));
      } catch {
        parsed = undefined;
      }
      const header = /^Signature ([0-9a-f]{40})$/.exec(req.headers.authorization ?? "")?.[1];
      const verify = flaws.verify ?? "raw";
      if (verify !== "none") {
        if (verify === "reserialize" && !parsed) return reject("INVALID_PARAMETER");
        const hashed = verify === "raw" ? req.body : Buffer.from(JSON.stringify(parsed));
        if (header !== sha1(hashed, secret)) return reject("INVALID_SIGNATURE");
      }
      if (!parsed) return reject("INVALID_PARAMETER");
      if (
        parsed.notification_type === "user_validation" &&
        !flaws.acceptUnknownUsers &&
        String(parsed.user?.id ?? "").startsWith("test_xsolla")
      )
        return reject("INVALID_USER");
      const key = String(parsed.transaction?.id ?? parsed.order?.id ?? "");
      if (key && seen.has(key) && flaws.rejectDuplicates)
        return { status: 409, body: '{"error":{"code":"DUPLICATE","message":"already processed"}}' };
      if (key) seen.add(key);
      if (parsed.notification_type === "user_search")
        return { status: 200, body: JSON.stringify({ user: { id: String(parsed.user?.id ?? "u") } }) };
      return { status: 204, body: "" };
    })();
    res.writeHead(answer.status, answer.body ? { "content-type": "application/json" } : {}).end(answer.body);
  });
}
