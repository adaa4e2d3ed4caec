// A receiver for Tailscale's (and tailapi's) webhooks: checks Tailscale-Webhook-Signature
// (t=<unix seconds>,v1=<hex HMAC-SHA256 of "<t>.<body>">), then prints each event.
// Plain Node.js, no dependencies:  WEBHOOK_SECRET=tskey-webhook-… PORT=9000 node examples/webhook-receiver.mjs
import { createHmac, timingSafeEqual } from "node:crypto";
import { createServer } from "node:http";

const secret = process.env.WEBHOOK_SECRET; // the `secret` the create (or rotate) answer showed once
const port = Number(process.env.PORT ?? 9000);

function verify(body, header, now = Date.now() / 1000) {
  const { t, v1 } = Object.fromEntries((header ?? "").split(",").map((kv) => kv.split("=")));
  if (!t || !v1 || Math.abs(now - Number(t)) > 300) return false; // stale or missing: refuse replays
  const want = createHmac("sha256", secret).update(`${t}.${body}`).digest();
  const got = Buffer.from(v1, "hex");
  return got.length === want.length && timingSafeEqual(got, want);
}

const server = createServer((req, res) => {
  let body = "";
  req.setEncoding("utf8");
  req.on("data", (chunk) => (body += chunk));
  req.on("end", () => {
    if (!verify(body, req.headers["tailscale-webhook-signature"])) {
      console.log("rejected: bad signature");
      return res.writeHead(401).end();
    }
    for (const event of JSON.parse(body)) console.log(`verified ${event.type} event: ${event.message}`);
    res.writeHead(200).end(); // anything but 2xx makes the sender retry
  });
});
server.listen(port, "127.0.0.1", () => console.log(`listening on http://127.0.0.1:${server.address().port}`));
