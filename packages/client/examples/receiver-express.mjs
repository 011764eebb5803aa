// The same receiver with express: `express.raw()` keeps the body as the bytes that were signed.
import express from 'express';
import { verifyDelivery, KnockerSignatureError } from '@knocker/client';

const secrets = (process.env.SIGNING_SECRETS ?? '').split(/\s+/).filter(Boolean);
const done = new Set();
const app = express();

app.post('/hook', express.raw({ type: '*/*' }), async (req, res, next) => {
  try {
    const body = Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0);
    const { id, attempt } = await verifyDelivery({ headers: req.headers, body }, { secrets });
    console.log(`${done.has(id) ? 'repeat' : 'delivery'} ${id} attempt ${attempt}: ${body.length} bytes`);
    done.add(id);
    res.send('ok');
  } catch (err) {
    if (!(err instanceof KnockerSignatureError)) return next(err);
    console.log(`refused: ${err.code}`);
    res.status(401).send(err.code);
  }
});
const server = app.listen(Number(process.env.PORT ?? 3000), '127.0.0.1', () => console.log(`receiver listening on ${server.address().port}`));
