const pattern =
  /^P(?:(\d+(?:\.\d+)?)Y)?(?:(\d+(?:\.\d+)?)M)?(?:(\d+(?:\.\d+)?)W)?(?:(\d+(?:\.\d+)?)D)?(?:T(?:(\d+(?:\.\d+)?)H)?(?:(\d+(?:\.\d+)?)M)?(?:(\d+(?:\.\d+)?)S)?)?$/;

const unitMs = [365 * 86_400_000, 30 * 86_400_000, 7 * 86_400_000, 86_400_000, 3_600_000, 60_000, 1000];

/**
 * Milliseconds in an ISO 8601 duration (xAPI Data 4.6: `result.duration`), or undefined when it is not one.
 * Years and months have no fixed length: they count as 365 and 30 days (xAPI content sends `PT...` in practice).
 */
export function parseDuration(text: string): number | undefined {
  const match = pattern.exec(text);
  if (!match || text === 'P' || text.endsWith('T')) return undefined;
  let ms = 0;
  for (let i = 0; i < unitMs.length; i++) {
    const part = match[i + 1];
    if (part !== undefined) ms += Number(part) * unitMs[i]!;
  }
  return Math.round(ms);
}
