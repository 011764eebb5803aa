// A receiver on plain node:http: checks the signature (when SIGNING_SECRETS is set) and does
// the work of each request once, though Knocker delivers at least once.
import { createServer } from 'node:http';
import { verifyDelivery, KnockerSignatureError } from '@knocker/client';

const secrets = (process.env.SIGNING_SECRETS ?? '').split(/\s+/).filter(Boolean);
// Ids of the requests already handled; in production, a store shared by every replica, with an expiry.
const done = new Set();

const server = createServer(async (req, res) => {
  const chunks = [];
  for await (const chunk of req) chunks.push(chunk);
  const body = Buffer.concat(chunks);
  try {
    const { id, attempt } = await verifyDelivery({ headers: req.headers, body }, { secrets });
    if (done.has(id)) {
      console.log(`repeat ${id} attempt ${attempt}: already handled`);
    } else {
      done.add(id);
      console.log(`delivery ${id} attempt ${attempt}: ${body.length} bytes`);
    }
    res.writeHead(200).end('ok');
  } catch (err) {
    if (!(err instanceof KnockerSignatureError)) throw err;
    console.log(`refused: ${err.code}`);
    res.writeHead(401).end(err.code);
  }
});
server.listen(Number(process.env.PORT ?? 3000), '127.0.0.1', () => console.log(`receiver listening on ${server.address().port}`));
