/**
 * The rewards catalogue: what a reward costs and hands out, and whether it can be redeemed at an
 * instant. The price is the server's: a redemption pays the reward's `pointsCost`, whatever the
 * app showed.
 */
import * as v from "valibot";
import { maxCodePoints } from "./code-points";
import { MoneySchema } from "./contract";
import { SafeCountSchema } from "./ledger-entries";
import { RewardSnapshotSchema, type RewardSnapshot } from "./reward-snapshot";
import { TimestampSchema } from "./timestamp";

/** What a reward gives: money off (`value` says how much), free shipping, or a product. */
export const REWARD_KINDS = RewardSnapshotSchema.entries.kind.options;

export type RewardKind = RewardSnapshot["kind"];

/** `pool`: each redemption hands out one uploaded single-use code; `none`: nothing to hand out. */
export const CODE_MODES = ["pool", "none"] as const;

/** An instant of a reward's window; bounded, as every string a request carries is. */
const [, isIsoTimestamp, toUtc] = TimestampSchema.pipe;
const WindowInstantSchema = v.pipe(v.string("must be a string"), v.maxLength(40, "must be at most 40 characters"), isIsoTimestamp, toUtc);

const wholeAtLeast = (min: number, what: string) =>
  v.pipe(v.number("must be a number"), v.safeInteger(`must be a whole number of ${what}`), v.minValue(min, `must be at least ${min}`));

/** `PUT /rewards/{rewardId}` body: the whole definition, replaced on every PUT. */
export const RewardDefinitionSchema = v.pipe(
  v.object({
    title: v.pipe(v.string("must be a string"), v.minLength(1, "must not be empty"), maxCodePoints(120, "must be at most 120 characters")),
    description: v.optional(v.pipe(v.string("must be a string"), maxCodePoints(1_000, "must be at most 1000 characters"))),
    pointsCost: wholeAtLeast(1, "points"),
    kind: v.picklist(REWARD_KINDS, `must be one of ${REWARD_KINDS.join(", ")}`),
    /** In minor units; a voucher's worth at checkout. */
    value: v.optional(MoneySchema),
    activeFrom: v.optional(WindowInstantSchema),
    activeUntil: v.optional(WindowInstantSchema),
    /** Caps the redemptions of a reward without codes (a pool reward is capped by its codes). */
    stock: v.optional(wholeAtLeast(0, "units")),
    perCustomerLimit: v.optional(wholeAtLeast(1, "redemptions")),
    codes: v.optional(v.picklist(CODE_MODES, `must be one of ${CODE_MODES.join(", ")}`), "none"),
  }),
  v.forward(
    v.check((reward) => reward.kind !== "voucher" || reward.value !== undefined, "is required for a voucher"),
    ["value"],
  ),
  v.forward(
    v.check(
      (reward) => reward.activeFrom === undefined || reward.activeUntil === undefined || reward.activeFrom < reward.activeUntil,
      "must be after activeFrom",
    ),
    ["activeUntil"],
  ),
  v.forward(
    v.check((reward) => reward.codes !== "pool" || reward.stock === undefined, 'must be absent with codes "pool": the codes are the stock'),
    ["stock"],
  ),
);

export type RewardDefinition = v.InferOutput<typeof RewardDefinitionSchema>;

/**
 * A single-use code as the checkout accepts it: 1–64 letters, digits, `-` or `_`, case kept. The
 * characters are those safe in a DynamoDB key and a URL, so a code is its own key.
 */
export const RewardCodeSchema = v.pipe(
  v.string("must be a string"),
  v.minLength(1, "must not be empty"),
  v.maxLength(64, "must be at most 64 characters"),
  v.regex(/^[A-Za-z0-9_-]+$/u, "may only contain letters, digits, - and _"),
);

/** Most codes one upload takes: one request stays well inside API Gateway's and Lambda's limits. */
export const MAX_CODES_PER_UPLOAD = 1_000;

/** `POST /rewards/{rewardId}/codes` body. */
export const CodesUploadSchema = v.object({
  codes: v.pipe(
    v.array(RewardCodeSchema, "must be an array of codes"),
    v.minLength(1, "must hold at least one code"),
    v.maxLength(MAX_CODES_PER_UPLOAD, `must hold at most ${MAX_CODES_PER_UPLOAD} codes`),
  ),
});

export type CodesUpload = v.InferOutput<typeof CodesUploadSchema>;

/** A catalogue item as stored: the definition, and when it was created and last changed. */
export const RewardSchema = v.object({
  rewardId: v.string(),
  title: v.string(),
  description: v.optional(v.string()),
  pointsCost: SafeCountSchema,
  kind: v.picklist(REWARD_KINDS),
  value: v.optional(v.object({ amount: SafeCountSchema, currency: v.string() })),
  activeFrom: v.optional(v.string()),
  activeUntil: v.optional(v.string()),
  stock: v.optional(SafeCountSchema),
  perCustomerLimit: v.optional(SafeCountSchema),
  codes: v.picklist(CODE_MODES),
  createdAt: v.string(),
  updatedAt: v.string(),
});

export type Reward = v.InferOutput<typeof RewardSchema>;

/** What a redemption keeps of `reward`. */
export const snapshotOf = (reward: Reward): RewardSnapshot => ({
  title: reward.title,
  kind: reward.kind,
  ...(reward.value ? { value: reward.value } : {}),
});

/** Whether `at` (ms) falls in the reward's window: from `activeFrom` (included) until `activeUntil` (excluded). */
export function inWindow(reward: Pick<Reward, "activeFrom" | "activeUntil">, at: number): boolean {
  if (reward.activeFrom !== undefined && at < Date.parse(reward.activeFrom)) return false;
  return reward.activeUntil === undefined || at < Date.parse(reward.activeUntil);
}

/**
 * Units a reward has left: its free codes for a pool reward, what its stock has left for one with
 * a stock, none said (`null`, unlimited) otherwise.
 */
export type Available = number | null;

/**
 * Whether the reward can be redeemed at `at`: in its window, and with a unit left (`available` as
 * the store counts it). The store's conditions are the truth under races; this is what a read says.
 */
export const redeemableAt = (reward: Reward, available: Available, at: number): boolean =>
  inWindow(reward, at) && (available === null || available > 0);

/** Whether redemptions draw from counted units (codes or stock), which the store keeps in shards. */
export const isCounted = (reward: Pick<Reward, "codes" | "stock">): boolean => reward.codes === "pool" || reward.stock !== undefined;
