// `xsolla-hooks/types`: the webhook bodies of the built-in catalog as TypeScript types, for handler authors.
// Every type is inferred from the zod schema the catalog is validated with (src/core/fixtures/schemas.ts), so the
// published types and the checks cannot drift apart. Type-only: the compiled module is empty and loads nothing.
//
// Objects are open (`[key: string]: unknown`): Xsolla adds fields over time, and a handler must accept them.
// Numbers that Xsolla sends either as numbers or as numeric strings (transaction.id, project_id...) are `number | string`.
import type { z } from "zod";
import type { bodySchemas } from "./core/fixtures/schemas.js";

type Body<T extends keyof typeof bodySchemas> = z.output<(typeof bodySchemas)[T]>;

export type UserValidationWebhook = Body<"user_validation">;
export type UserSearchWebhook = Body<"user_search">;
export type PaymentWebhook = Body<"payment">;
export type RefundWebhook = Body<"refund">;
export type PartialRefundWebhook = Body<"partial_refund">;
export type PsDeclinedWebhook = Body<"ps_declined">;
export type AfsRejectWebhook = Body<"afs_reject">;
export type DisputeWebhook = Body<"dispute">;
export type CreateSubscriptionWebhook = Body<"create_subscription">;
export type UpdateSubscriptionWebhook = Body<"update_subscription">;
export type CancelSubscriptionWebhook = Body<"cancel_subscription">;
export type NonRenewalSubscriptionWebhook = Body<"non_renewal_subscription">;
export type UserBalanceOperationWebhook = Body<"user_balance_operation">;
export type GetPincodeWebhook = Body<"get_pincode">;
export type RedeemKeyWebhook = Body<"redeem_key">;
export type OrderPaidWebhook = Body<"order_paid">;
export type OrderCanceledWebhook = Body<"order_canceled">;
export type PaymentAccountAddWebhook = Body<"payment_account_add">;
export type PaymentAccountRemoveWebhook = Body<"payment_account_remove">;
export type PartnerSideCatalogWebhook = Body<"partner_side_catalog">;

/** The payment data that combined order webhooks (accounts created since 2025-01-22) carry in `billing`. */
export type OrderBilling = NonNullable<OrderPaidWebhook["billing"]>;
/** order_paid as combined webhooks send it: the payment data in `billing` (the catalog's default variant). */
export type OrderPaidCombinedWebhook = OrderPaidWebhook & { billing: OrderBilling };
/** order_canceled as combined webhooks send it. */
export type OrderCanceledCombinedWebhook = OrderCanceledWebhook & { billing: OrderBilling };

/** Each catalog notification_type and its body type. */
export interface XsollaWebhookByType {
  user_validation: UserValidationWebhook;
  user_search: UserSearchWebhook;
  payment: PaymentWebhook;
  refund: RefundWebhook;
  partial_refund: PartialRefundWebhook;
  ps_declined: PsDeclinedWebhook;
  afs_reject: AfsRejectWebhook;
  dispute: DisputeWebhook;
  create_subscription: CreateSubscriptionWebhook;
  update_subscription: UpdateSubscriptionWebhook;
  cancel_subscription: CancelSubscriptionWebhook;
  non_renewal_subscription: NonRenewalSubscriptionWebhook;
  user_balance_operation: UserBalanceOperationWebhook;
  get_pincode: GetPincodeWebhook;
  redeem_key: RedeemKeyWebhook;
  order_paid: OrderPaidWebhook;
  order_canceled: OrderCanceledWebhook;
  payment_account_add: PaymentAccountAddWebhook;
  payment_account_remove: PaymentAccountRemoveWebhook;
  partner_side_catalog: PartnerSideCatalogWebhook;
}

export type XsollaNotificationType = keyof XsollaWebhookByType;

/** Every catalog webhook body: a union discriminated by `notification_type` (a `switch` on it narrows). */
export type XsollaWebhook = XsollaWebhookByType[XsollaNotificationType];

/** The error body Xsolla expects with a rejection: `{"error":{"code":"INVALID_USER","message":"..."}}`. */
export interface XsollaErrorBody {
  error: { code: "INVALID_SIGNATURE" | "INVALID_USER" | "INVALID_PARAMETER" | (string & {}); message: string };
}

/** The 200 bodies of the three look-ups. */
export interface UserSearchResponse {
  user: { id: string; name?: string; public_id?: string; email?: string; phone?: string };
}
export interface GetPincodeResponse {
  pin_code: string;
}
export type PartnerSideCatalogResponse = Array<{ sku: string; quantity?: number | null }>;
