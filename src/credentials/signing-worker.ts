import { parentPort } from 'node:worker_threads';
import { fastSignerCache } from './fast-sign.js';
import { toSigningError } from './sign.js';
import type { SignReply, SignRequest } from './signing-pool.js';

// The entry of one signing thread (signing-pool.ts starts it): one long-lived fast signer per key, as the main
// thread keeps when signing itself. Keys arrive with each request; nothing here logs them.
const signerFor = fastSignerCache();

async function handle(request: SignRequest): Promise<SignReply> {
  try {
    const signer = await signerFor(request.key);
    return { id: request.id, signed: await signer.sign(request.credential, new Date(request.created)) };
  } catch (error) {
    // AppErrors do not survive structured cloning as AppErrors: send the code, the pool rebuilds the error.
    const { code, message, details } = toSigningError(error);
    return { id: request.id, error: { code, message, ...(details ? { details } : {}) } };
  }
}

function reply(answer: SignReply): void {
  try {
    parentPort?.postMessage(answer);
  } catch (error) {
    // A reply that cannot be cloned must not kill the thread (and the other request in flight with it).
    const { code, message } = toSigningError(error);
    parentPort?.postMessage({ id: answer.id, error: { code, message } });
  }
}

parentPort?.on('message', (request: SignRequest) => {
  void handle(request).then(reply);
});
