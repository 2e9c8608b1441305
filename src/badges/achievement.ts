import { z } from 'zod';
import { AppError } from '../errors.js';

/** OB 3.0 `Achievement.achievementType` values (Open Badges 3.0 §B.1.2 AchievementType enumeration). */
export const achievementTypes = [
  'Achievement',
  'ApprenticeshipCertificate',
  'Assessment',
  'Assignment',
  'AssociateDegree',
  'Award',
  'Badge',
  'BachelorDegree',
  'Certificate',
  'CertificateOfCompletion',
  'Certification',
  'CommunityService',
  'Competency',
  'Course',
  'CoCurricular',
  'Degree',
  'Diploma',
  'DoctoralDegree',
  'Fieldwork',
  'GeneralEducationDevelopment',
  'JourneymanCertificate',
  'LearningProgram',
  'License',
  'Membership',
  'ProfessionalDoctorate',
  'QualityAssuranceCredential',
  'MasterCertificate',
  'MasterDegree',
  'MicroCredential',
  'ResearchDoctorate',
  'SecondarySchoolDiploma',
] as const;

const url = z.url({ protocol: /^https?$/ }).max(2048);

/** `Alignment` (OB 3.0 §B.1.1): the framework (e.g. CASE) goes in targetFramework / targetType. */
const alignment = z.strictObject({
  targetName: z.string().min(1).max(500),
  targetUrl: url,
  targetDescription: z.string().max(2000).optional(),
  targetFramework: z.string().max(500).optional(),
  targetCode: z.string().max(200).optional(),
  targetType: z.string().max(100).optional(),
});

const fields = {
  name: z.string().trim().min(1).max(200),
  description: z.string().trim().min(1).max(5000),
  criteria: z
    .strictObject({ narrative: z.string().max(10000).optional(), id: url.optional() })
    .refine((c) => c.narrative !== undefined || c.id !== undefined, {
      message: 'needs a narrative or an id (URL)',
    }),
  tags: z.array(z.string().trim().min(1).max(100)).max(50),
  alignment: z.array(alignment).max(50),
  achievementType: z.enum(achievementTypes),
  creator: z.strictObject({ name: z.string().min(1).max(200), url: url.optional() }),
};

export type AchievementAlignment = z.infer<typeof alignment>;

/** What an instructor says about an achievement; one immutable version of it is stored per change. */
export interface AchievementBody {
  name: string;
  description: string;
  criteria: { narrative?: string | undefined; id?: string | undefined };
  tags: string[];
  alignment: AchievementAlignment[];
  achievementType: (typeof achievementTypes)[number];
  creator?: { name: string; url?: string | undefined } | undefined;
  /**
   * The uploaded image (`achievement_images`): `id` is its public path (`/badges/images/<sha256>.png|svg`, made
   * absolute with PUBLIC_URL when shown or issued), with the media type and SHA-256.
   */
  image?: { id: string; type: 'image/png' | 'image/svg+xml'; sha256: string } | undefined;
}

const create = z.strictObject({
  name: fields.name,
  description: fields.description,
  criteria: fields.criteria,
  tags: fields.tags.default([]),
  alignment: fields.alignment.default([]),
  achievementType: fields.achievementType.default('Badge'),
  creator: fields.creator.optional(),
  library: z.boolean().default(false),
});

const update = z.strictObject({
  name: fields.name.optional(),
  description: fields.description.optional(),
  criteria: fields.criteria.optional(),
  tags: fields.tags.optional(),
  alignment: fields.alignment.optional(),
  achievementType: fields.achievementType.optional(),
  creator: fields.creator.nullable().optional(),
});

function parse<T>(schema: z.ZodType<T>, input: unknown): T {
  const result = schema.safeParse(input);
  if (result.success) return result.data;
  const issues = result.error.issues.map((issue) => ({
    path: `/${issue.path.map(String).join('/')}`,
    message: issue.message,
  }));
  throw new AppError('ERR_VALIDATION', `achievement ${issues[0]!.path}: ${issues[0]!.message}`, {
    details: { path: issues[0]!.path, issues },
  });
}

/**
 * Parses a new achievement from untrusted JSON (unknown keys refused); `library: true` asks for a platform-owned one.
 * @throws ERR_VALIDATION naming the path of the first bad field.
 */
export function parseNewAchievement(input: unknown): { body: AchievementBody; library: boolean } {
  const { library, ...body } = parse(create, input);
  return { body, library };
}

/**
 * Applies a partial update to an achievement's body (a new version); `creator: null` removes it.
 * @throws ERR_VALIDATION naming the path of the first bad field.
 */
export function applyAchievementUpdate(current: AchievementBody, input: unknown): AchievementBody {
  const patch = parse(update, input);
  const next: AchievementBody = { ...current };
  for (const [key, value] of Object.entries(patch)) {
    if (value === undefined) continue;
    if (value === null) delete next[key as keyof AchievementBody];
    else (next as unknown as Record<string, unknown>)[key] = value;
  }
  return next;
}
