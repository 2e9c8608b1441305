import { readFile } from 'node:fs/promises';
import type { AppContext } from '../context.js';
import { unbakePng, unbakeSvg } from '../credentials/index.js';
import { changeCredentialStatus, createIssuer, createVerifier, rotateIssuerKey } from '../issuing/index.js';

export const credentialsUsage = `laurel credentials verify <file.json|file.png|file.svg>
laurel credentials issuer-add <name> [url] [email]
laurel credentials rotate-key <issuer-id>
laurel credentials revoke <credential-id> <reason>
laurel credentials suspend <credential-id> <reason>
laurel credentials unsuspend <credential-id> <reason>

verify prints the verification report (JSON) and exits 0 when verified, 1 otherwise.`;

const pastTense = { revoke: 'Revoked', suspend: 'Suspended', unsuspend: 'Unsuspended' } as const;

async function readCredential(file: string): Promise<unknown> {
  const bytes = await readFile(file);
  if (file.endsWith('.png')) return unbakePng(bytes);
  if (file.endsWith('.svg')) return unbakeSvg(bytes.toString('utf8'));
  return bytes.toString('utf8');
}

/** `laurel credentials ...`: verify a file, add an issuer, rotate its key, revoke or (un)suspend a credential. */
export async function credentialsCommand(
  ctx: AppContext,
  args: string[],
  print: (line: string) => void,
): Promise<number> {
  const [action, ...rest] = args;
  switch (action) {
    case 'verify': {
      if (!rest[0]) break;
      const report = await createVerifier(ctx)(await readCredential(rest[0]));
      print(JSON.stringify(report, null, 2));
      return report.verified ? 0 : 1;
    }
    case 'issuer-add': {
      if (!rest[0]) break;
      const issuer = await createIssuer(ctx, { name: rest[0], url: rest[1] ?? null, email: rest[2] ?? null });
      print(`Issuer ${issuer.id}: ${ctx.config.publicUrl.replace(/\/+$/, '')}/issuers/${issuer.id}/did.json`);
      return 0;
    }
    case 'rotate-key': {
      if (!rest[0]) break;
      await rotateIssuerKey(ctx, rest[0]);
      print(`Rotated the key of issuer ${rest[0]}; the old key stays in its DID document.`);
      return 0;
    }
    case 'revoke':
    case 'suspend':
    case 'unsuspend': {
      if (!rest[0] || !rest[1]) break;
      const reason = rest.slice(1).join(' ');
      const credential = await changeCredentialStatus(ctx, rest[0], action, reason);
      print(`${pastTense[action]} ${credential.id}: ${reason}`);
      return 0;
    }
  }
  print(credentialsUsage);
  return 2;
}
