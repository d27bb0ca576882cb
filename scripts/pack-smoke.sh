#!/usr/bin/env bash
# The package as users get it: pack the project, install the tarball into an empty project, run the
# bin and compile a consumer against the library's types. Needs only the npm registry.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

tarball=$(cd "$root" && npm pack --silent --pack-destination "$work" | tail -n 1)
listing=$(tar -tzf "$work/$tarball")
if grep -qE '^package/(src|test|bench|scripts|examples)/' <<<"$listing"; then
  echo "pack-smoke: the tarball carries sources, tests or examples" >&2
  exit 1
fi

# The inspector's page is read from the package at run time (listen --ui, demo --ui).
for asset in index.html app.js style.css; do
  if ! grep -qx "package/assets/inspector/$asset" <<<"$listing"; then
    echo "pack-smoke: the tarball lacks assets/inspector/$asset" >&2
    exit 1
  fi
done

cd "$work"
npm init -y >/dev/null
npm install --no-audit --no-fund --loglevel=error "./$tarball" typescript@~5.9.3 @types/node@^20.19.0 >/dev/null
version=$(npx --no-install xsolla-hooks --version)
npx --no-install xsolla-hooks list >/dev/null
npx --no-install xsolla-hooks demo >/dev/null

cat > consumer.ts <<'TS'
import { signBody, sendWebhook, runContractSuite, startReceiver, type ContractSuiteResult, type SendWebhookResult } from "xsolla-hooks";
import { verifyXsollaSignature } from "xsolla-hooks/verify";
import type { PaymentWebhook, OrderPaidWebhook, XsollaWebhook } from "xsolla-hooks/types";

// The union narrows on notification_type; every catalog type is a member.
export function grantKey(webhook: XsollaWebhook): string | number | undefined {
  switch (webhook.notification_type) {
    case "payment":
      return webhook.transaction.id;
    case "order_paid": {
      const order: OrderPaidWebhook["order"] = webhook.order;
      return order.id;
    }
    case "create_subscription":
      return webhook.subscription.subscription_id;
    default:
      return undefined;
  }
}
export const userOf = (payment: PaymentWebhook): string => payment.user.id;

export async function check(url: string, secret: string): Promise<[SendWebhookResult, ContractSuiteResult]> {
  const body = Buffer.from('{"notification_type":"payment"}');
  const signature: string = signBody(body, secret);
  if (!verifyXsollaSignature(body, `Signature ${signature}`, secret).ok) throw new Error("xsolla-hooks/verify disagrees with signBody");
  const receiver = await startReceiver({ secret });
  await receiver.close();
  return [await sendWebhook({ url, secret, body, headers: { "x-signature-seen": signature } }), await runContractSuite({ url, secret })];
}
TS
cat > tsconfig.json <<'JSON'
{ "compilerOptions": { "module": "nodenext", "moduleResolution": "nodenext", "target": "es2022", "strict": true, "noEmit": true, "types": ["node"] }, "files": ["consumer.ts"] }
JSON
npx --no-install tsc -p tsconfig.json
# The ./types export resolves at run time too (an empty module: the types cost nothing to import).
node --input-type=module -e 'await import("xsolla-hooks/types")'
npx --no-install xsolla-hooks schema payment >/dev/null
echo "pack-smoke: ok on node $(node --version) (xsolla-hooks $version from $tarball: --version, list, demo, schema, typed consumer)"
