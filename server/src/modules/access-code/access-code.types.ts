import { ArgsType, Field, ID, InputType, Int, ObjectType } from 'type-graphql';
import { Money } from '../../common/money';
import { PaymentStatus } from '../payment';
import { RangedPageArgs } from '../../common/date-range';
import { ConnectionType, PageArgs } from '../../common/pagination';
import {
  AccessCode,
  AccessCodeAlphabet,
  AccessCodeCheck,
  AccessCodeCheckResult,
  AccessCodeKind,
  AccessCodeService,
  AccessCodeStatus,
} from './access-code.entity';
import { PayloadType } from '../../common/mutation';

export const AccessCodeServiceConnection = ConnectionType(AccessCodeService, 'AccessCodeService');

export const AccessCodeConnection = ConnectionType(AccessCode, 'AccessCode');

export const AccessCodeCheckConnection = ConnectionType(AccessCodeCheck, 'AccessCodeCheck');

/** Rows an export may hold; narrower filters give the rest. */
export const MAX_EXPORT_ROWS = 50_000;

@ArgsType()
export class AccessCodeServicesArgs extends PageArgs {
  @Field(() => ID, { nullable: true, description: 'Only this merchant (admins and partners).' })
  merchantId?: string | null;
}

/** `from` and `to` bound the codes' issuedAt. */
@ArgsType()
export class AccessCodesArgs extends RangedPageArgs {
  @Field(() => ID, { description: 'The service whose codes to list.' })
  serviceId!: string;

  @Field(() => AccessCodeStatus, { nullable: true, description: 'Only codes in this status (now).' })
  status?: AccessCodeStatus | null;

  @Field(() => String, { nullable: true, description: 'Only the live code with this value (as a payer typed it).' })
  code?: string | null;
}

/** `from` and `to` bound the attempts' checkedAt. */
@ArgsType()
export class AccessCodeChecksArgs extends RangedPageArgs {
  @Field(() => ID, { description: 'The service whose check attempts to list.' })
  serviceId!: string;

  @Field(() => AccessCodeCheckResult, { nullable: true, description: 'Only attempts with this result.' })
  result?: AccessCodeCheckResult | null;
}

@InputType({ description: 'An access-code service: how SMS buy codes, what the codes are, where checks send payers.' })
export class CreateAccessCodeServiceInput {
  @Field(() => String, { description: 'A name for it, shown in replies of refused SMS, e.g. "Premium articles".' })
  name!: string;

  @Field(() => String, { description: 'The first word of the SMS, 2–20 letters or digits, e.g. "NEWS".' })
  keyword!: string;

  @Field(() => [String], { description: 'Short codes the SMS may go to, e.g. ["1096"]; their tariffs set the price.' })
  shortCodes!: string[];

  @Field(() => String, {
    description:
      'The reply, with {code}, and optionally {expires} and {uses}. It must fit one SMS with each placeholder at its ' +
      'longest: 160 GSM-7 characters, or 70 when any character needs UCS-2 (e.g. Cyrillic).',
  })
  replyTemplate!: string;

  @Field(() => AccessCodeKind)
  kind!: AccessCodeKind;

  @Field(() => Int, { nullable: true, description: 'For kinds with a period: seconds (60 up to 10 years).' })
  validitySeconds?: number | null;

  @Field(() => Int, { nullable: true, description: 'For kinds with uses: successful checks per code (1–1,000,000).' })
  maxUses?: number | null;

  @Field(() => Int, { description: 'Characters per code, 4 to 32.' })
  codeLength!: number;

  @Field(() => AccessCodeAlphabet)
  alphabet!: AccessCodeAlphabet;

  @Field(() => String, {
    nullable: true,
    description: 'More look-alikes to keep out, e.g. "8B5S"; 0 O Q 1 I are always kept out.',
  })
  excludedCharacters?: string | null;

  @Field(() => String, {
    nullable: true,
    description:
      "Where a good code sends the payer (code, t and sig are added). Empty or left out: Tollgate's own landing " +
      "page, <PUBLIC_URL>/codes/<service id>/result/paid, in the payer's language (see paidRedirectUrl).",
  })
  paidUrl?: string | null;

  @Field(() => String, {
    nullable: true,
    description:
      "Where an expired or used-up code sends the payer. Empty or left out: Tollgate's landing page " +
      '…/codes/<service id>/result/expired.',
  })
  expiredUrl?: string | null;

  @Field(() => String, {
    nullable: true,
    description:
      "Where an unknown or revoked code sends the payer. Empty or left out: Tollgate's landing page " +
      '…/codes/<service id>/result/invalid.',
  })
  invalidUrl?: string | null;

  @Field(() => [String], {
    nullable: true,
    description: "Your servers' addresses or CIDR ranges, allowed to check codes server to server.",
  })
  allowedIps?: string[] | null;

  @Field(() => Int, { nullable: true, description: 'Replies per received SMS, the code and resends (1–5; 1).' })
  maxRepliesPerSms?: number | null;

  @Field(() => Boolean, {
    nullable: true,
    description: 'Sell codes by card too (startAccessCodePurchase); false by default. Needs cardPrice.',
  })
  acceptsCard?: boolean | null;

  @Field(() => String, {
    nullable: true,
    description: 'The price of one code bought by card, e.g. "2.50" (at most 10000.00); SMS pay their tariff.',
  })
  cardPrice?: string | null;

  @Field(() => String, { nullable: true, description: 'The currency of cardPrice: USD (default) or EUR.' })
  cardCurrency?: string | null;

  @Field(() => ID, { nullable: true, description: 'For admins and partners: the merchant it is for.' })
  merchantId?: string | null;
}

@InputType({ description: 'Changes to a service; fields left out stay as they are. Issued codes keep their rules.' })
export class UpdateAccessCodeServiceInput {
  @Field(() => ID)
  id!: string;

  @Field(() => String, { nullable: true })
  name?: string | null;

  @Field(() => String, { nullable: true })
  keyword?: string | null;

  @Field(() => [String], { nullable: true })
  shortCodes?: string[] | null;

  @Field(() => String, { nullable: true })
  replyTemplate?: string | null;

  @Field(() => AccessCodeKind, { nullable: true })
  kind?: AccessCodeKind | null;

  @Field(() => Int, { nullable: true, description: 'null clears it (for kinds without a period).' })
  validitySeconds?: number | null;

  @Field(() => Int, { nullable: true, description: 'null clears it (for kinds without uses).' })
  maxUses?: number | null;

  @Field(() => Int, { nullable: true })
  codeLength?: number | null;

  @Field(() => AccessCodeAlphabet, { nullable: true })
  alphabet?: AccessCodeAlphabet | null;

  @Field(() => String, { nullable: true })
  excludedCharacters?: string | null;

  @Field(() => String, { nullable: true, description: '"" goes back to Tollgate\'s landing page for a paid code.' })
  paidUrl?: string | null;

  @Field(() => String, { nullable: true, description: '"" goes back to Tollgate\'s landing page for an expired code.' })
  expiredUrl?: string | null;

  @Field(() => String, { nullable: true, description: '"" goes back to Tollgate\'s landing page for an invalid code.' })
  invalidUrl?: string | null;

  @Field(() => [String], { nullable: true })
  allowedIps?: string[] | null;

  @Field(() => Int, { nullable: true })
  maxRepliesPerSms?: number | null;

  @Field(() => Boolean, { nullable: true, description: 'Turns selling by card on (needs a cardPrice) or off.' })
  acceptsCard?: boolean | null;

  @Field(() => String, {
    nullable: true,
    description:
      'A new card price, e.g. "2.50"; purchases already started keep theirs. "" clears it while card is off.',
  })
  cardPrice?: string | null;

  @Field(() => String, { nullable: true, description: 'USD or EUR.' })
  cardCurrency?: string | null;

  @Field(() => Boolean, { nullable: true, description: 'Replace the signing secret; the payload carries the new one.' })
  rotateSecret?: boolean | null;
}

export const CreateAccessCodeServicePayload = PayloadType(() => AccessCodeService, 'CreateAccessCodeService', {
  field: 'accessCodeService',
  description: 'The new service and its signing secret (shown now; revealable later, audited).',
  secret: "Verify the paid redirect's `sig` with it.",
});
export type CreateAccessCodeServicePayload = InstanceType<typeof CreateAccessCodeServicePayload>;

export const UpdateAccessCodeServicePayload = PayloadType(() => AccessCodeService, 'UpdateAccessCodeService', {
  field: 'accessCodeService',
  description: 'The service after the change.',
  secret: 'The new signing secret, when it was rotated.',
});
export type UpdateAccessCodeServicePayload = InstanceType<typeof UpdateAccessCodeServicePayload>;

export const DeleteAccessCodeServicePayload = PayloadType(() => ID, 'DeleteAccessCodeService', {
  field: 'deletedAccessCodeServiceId',
});
export type DeleteAccessCodeServicePayload = InstanceType<typeof DeleteAccessCodeServicePayload>;

export const RevealAccessCodeServiceSecretPayload = PayloadType(() => String, 'RevealAccessCodeServiceSecret', {
  field: 'secret',
  fieldDescription: "The service's current signing secret.",
});
export type RevealAccessCodeServiceSecretPayload = InstanceType<typeof RevealAccessCodeServiceSecretPayload>;

export const AccessCodePayload = PayloadType(() => AccessCode, 'AccessCode', { field: 'accessCode' });
export type AccessCodePayload = InstanceType<typeof AccessCodePayload>;

@InputType({ description: 'Which check attempts to export.' })
export class ExportAccessCodeChecksCsvInput {
  @Field(() => ID)
  serviceId!: string;

  @Field(() => AccessCodeCheckResult, { nullable: true })
  result?: AccessCodeCheckResult | null;

  @Field(() => Date, { nullable: true })
  from?: Date | null;

  @Field(() => Date, { nullable: true })
  to?: Date | null;
}

@ObjectType('ExportAccessCodeChecksCsvPayload')
export class ExportAccessCodeChecksCsvPayload extends PayloadType(() => String, 'ExportAccessCodeChecksCsv', {
  field: 'csv',
  fieldDescription: 'RFC 4180 CSV: checkedAt,result,channel,ip,count,codeId,input; newest first.',
  extended: true,
}) {
  @Field(() => Int)
  rowCount!: number;

  @Field(() => Boolean, { description: `True when more than ${MAX_EXPORT_ROWS} rows matched; narrow the filter.` })
  truncated!: boolean;
}

@ObjectType({ description: 'A source whose invalid checks of this service slow it down or block it (this process).' })
export class ThrottledSource {
  @Field(() => String, { description: 'The address (IPv6: its /64).' })
  ip!: string;

  @Field(() => Int, { description: 'Invalid checks in the last 15 minutes.' })
  failures!: number;

  @Field(() => Date, { nullable: true, description: 'Refused until then; null: only slowed.' })
  blockedUntil!: Date | null;
}

@ObjectType({ description: 'The proof on a paid answer; see AccessCodeService.proofFormula.' })
export class AccessCodeProof {
  @Field(() => Int, { description: 'Unix time of the check, in seconds: `t`.' })
  timestamp!: number;

  @Field(() => String, { description: '`sig`: hex HMAC-SHA256 of "<code>.<t>" with the service secret.' })
  signature!: string;
}

@ObjectType({ description: 'What a check answered; the same as the check URL would.' })
export class AccessCodeVerdict {
  @Field(() => String, { description: 'PAID, EXPIRED, INVALID, or THROTTLED (try again after retryAfterSeconds).' })
  verdict!: string;

  @Field(() => AccessCodeCheckResult)
  result!: AccessCodeCheckResult;

  @Field(() => Date, { nullable: true })
  expiresAt!: Date | null;

  @Field(() => Int, { nullable: true })
  usesLeft!: number | null;

  @Field(() => Int, { nullable: true })
  retryAfterSeconds!: number | null;

  @Field(() => AccessCodeProof, { nullable: true, description: 'For PAID.' })
  proof!: AccessCodeProof | null;
}

// --- Buying a code by card (public) ---------------------------------------------------------------------------------

@ObjectType({
  description:
    "A service's public purchase page: what a code costs by card and whether it is sold by card at all. No login.",
})
export class AccessCodeOffer {
  /** Resolves `merchantName`; not a field. */
  merchantId!: string;

  @Field(() => ID, { description: 'The service ("acs_…"), as startAccessCodePurchase takes it.' })
  serviceId!: string;

  @Field(() => String)
  name!: string;

  @Field(() => Boolean, { description: 'Whether a code can be bought by card now (startAccessCodePurchase).' })
  acceptsCard!: boolean;

  @Field(() => Money, { nullable: true, description: 'What one code costs by card; null when card is off.' })
  price!: Money | null;

  @Field(() => String, { description: 'What the code admits, e.g. "1 hour", "5 uses", "no time limit".' })
  validity!: string;
}

@ObjectType('PurchasedAccessCode', { description: 'The code bought: shown only to the holder of the page token.' })
export class PurchasedAccessCode {
  @Field(() => String, { description: "The code, as typed on the merchant's site." })
  code!: string;

  @Field(() => AccessCodeKind)
  kind!: AccessCodeKind;

  @Field(() => Date, { nullable: true, description: 'When it stops admitting; null: no time limit (yet).' })
  expiresAt!: Date | null;

  @Field(() => Int, { nullable: true, description: 'Successful checks left; null when uses are not limited.' })
  usesLeft!: number | null;

  @Field(() => AccessCodeStatus)
  status!: AccessCodeStatus;

  @Field(() => String, { description: 'Where to use it: the check URL, GET with ?code=….' })
  checkUrl!: string;
}

@ObjectType('AccessCodePurchase', {
  description:
    "A buyer's purchase of an access code by card, by its page token (keep it private): the payment, then the code " +
    'once paid. Pay it on the card form with the same token.',
})
export class AccessCodePurchaseView {
  @Field(() => String, { description: 'The payer page token: the card form and paymentStatus(token) take it.' })
  token!: string;

  @Field(() => String, { description: 'The payment number.' })
  reference!: string;

  @Field(() => PaymentStatus)
  status!: PaymentStatus;

  @Field(() => Money)
  amount!: Money;

  @Field(() => Money)
  amountReceived!: Money;

  @Field(() => String)
  serviceName!: string;

  @Field(() => String, { description: 'Where the code is mailed, masked, e.g. "d***@example.com".' })
  email!: string;

  @Field(() => Date, { nullable: true })
  paidAt!: Date | null;

  @Field(() => PurchasedAccessCode, { nullable: true, description: 'The code, once paid.' })
  accessCode!: PurchasedAccessCode | null;
}

@InputType()
export class StartAccessCodePurchaseInput {
  @Field(() => ID, { description: 'The service ("acs_…"): the last part of its check URL.' })
  serviceId!: string;

  @Field(() => String, { description: 'Where the code is mailed once paid; up to 254 characters.' })
  email!: string;
}

export const StartAccessCodePurchasePayload = PayloadType(() => AccessCodePurchaseView, 'StartAccessCodePurchase', {
  field: 'purchase',
  fieldDescription: 'The purchase: send the payer to the card form with its token.',
});
export type StartAccessCodePurchasePayload = InstanceType<typeof StartAccessCodePurchasePayload>;
