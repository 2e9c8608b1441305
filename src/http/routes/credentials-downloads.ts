import { type Request, type Response, Router } from 'express';
import type { AppContext } from '../../context.js';
import { bakePng, bakeSvg } from '../../credentials/index.js';
import { AppError } from '../../errors.js';
import { findAchievementImage } from '../../store/achievements.js';
import { type CredentialRow, findCredential } from '../../store/credentials.js';
import { methodNotAllowed } from '../errors.js';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

async function credentialOf(ctx: AppContext, req: Request): Promise<CredentialRow> {
  const id = String(req.params.id ?? '');
  const credential = UUID.test(id) ? await findCredential(ctx.pool, id) : undefined;
  if (!credential) throw new AppError('ERR_NOT_FOUND', 'No such credential');
  return credential;
}

/** A file name for the credential's downloads: the achievement's name, ASCII letters and digits only. */
function fileName(credential: CredentialRow, extension: string): string {
  const subject = credential.document.credentialSubject as { achievement?: { name?: unknown } } | undefined;
  const name = typeof subject?.achievement?.name === 'string' ? subject.achievement.name : 'badge';
  const slug = name
    .normalize('NFKD')
    .replace(/[^A-Za-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 60)
    .toLowerCase();
  return `${slug || 'badge'}.${extension}`;
}

function attachment(res: Response, name: string): void {
  res.set('Content-Disposition', `attachment; filename="${name}"`).set('X-Content-Type-Options', 'nosniff');
}

/** The achievement image the credential names, when Laurel serves it (`<PUBLIC_URL>/badges/images/<sha256>.<ext>`). */
async function credentialImage(ctx: AppContext, credential: CredentialRow, extension: 'png' | 'svg') {
  const subject = credential.document.credentialSubject as
    | { achievement?: { image?: { id?: unknown } } }
    | undefined;
  const id = subject?.achievement?.image?.id;
  const prefix = `${ctx.config.publicUrl.replace(/\/+$/, '')}/badges/images/`;
  const match =
    typeof id === 'string' && id.startsWith(prefix)
      ? /^([0-9a-f]{64})\.(png|svg)$/.exec(id.slice(prefix.length))
      : null;
  const image = match && match[2] === extension ? await findAchievementImage(ctx.pool, match[1]!) : undefined;
  if (!image) {
    throw new AppError(
      'ERR_NOT_FOUND',
      `This credential's achievement has no ${extension.toUpperCase()} image`,
    );
  }
  return image.content;
}

/**
 * Downloads of an issued credential, public like `/credentials/<id>`: the JSON as an attachment, and the badge
 * image baked with it (Open Badges 3.0 §5.3: PNG iTXt `openbadgecredential`, SVG `<openbadges:credential>`); 404
 * when the achievement has no image of that type.
 */
export function credentialDownloadRoutes(ctx: AppContext): Router {
  const router = Router();
  router
    .route('/credentials/:id/credential.json')
    .get(async (req, res) => {
      const credential = await credentialOf(ctx, req);
      attachment(res, fileName(credential, 'json'));
      res.type('application/json').send(JSON.stringify(credential.document, null, 2));
    })
    .all(methodNotAllowed(['GET']));
  router
    .route('/credentials/:id/baked.png')
    .get(async (req, res) => {
      const credential = await credentialOf(ctx, req);
      const png = await credentialImage(ctx, credential, 'png');
      attachment(res, fileName(credential, 'png'));
      res.type('image/png').send(bakePng(png, JSON.stringify(credential.document)));
    })
    .all(methodNotAllowed(['GET']));
  router
    .route('/credentials/:id/baked.svg')
    .get(async (req, res) => {
      const credential = await credentialOf(ctx, req);
      const svg = await credentialImage(ctx, credential, 'svg');
      attachment(res, fileName(credential, 'svg'));
      // Opened directly, a downloaded SVG must not run anything (as /badges/images/ serves them).
      res
        .set('Content-Security-Policy', "default-src 'none'; style-src 'unsafe-inline'; sandbox")
        .type('image/svg+xml')
        .send(bakeSvg(svg.toString('utf8'), JSON.stringify(credential.document)));
    })
    .all(methodNotAllowed(['GET']));
  return router;
}
