import { Router } from 'express';
import { laurelCss, laurelCssHash, laurelCssPath } from '../../ui/styles.js';

const oneYearSeconds = 365 * 24 * 60 * 60;

/**
 * `GET /assets/laurel.css`: the pages' stylesheet. Pages link it with its content hash (`?v=`), so that URL is
 * cached for a year; any other URL revalidates with the ETag (the same hash) and gets a 304 when unchanged.
 */
export function uiRoutes(): Router {
  const router = Router();
  router.get(laurelCssPath, (req, res) => {
    const cacheControl =
      req.query.v === laurelCssHash ? `public, max-age=${oneYearSeconds}, immutable` : 'public, no-cache';
    res.type('text/css').set('Cache-Control', cacheControl).set('ETag', `"${laurelCssHash}"`).send(laurelCss);
  });
  return router;
}
