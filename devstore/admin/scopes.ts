// Access scopes and protected customer data, checked while a document executes, as Shopify does: a field the app's
// token has no scope for resolves to null with an ACCESS_DENIED error, and a customer/order field the app is not
// approved for (protected customer data) resolves to null with Shopify's "not approved" error. One table each.
import { GraphQLError } from "graphql";
import type { ProtectedDataAccess, ProtectedField } from "../config";

export const ACCESS_SCOPES_DOCS = "https://shopify.dev/api/usage/access-scopes";
export const PROTECTED_DATA_DOCS = "https://shopify.dev/docs/apps/launch/protected-customer-data";

/**
 * `Type.field` → the access scope it requires (shopify.dev reference: "Requires `read_orders` access scope." on each
 * query/mutation page; https://shopify.dev/docs/api/usage/access-scopes lists which resource each scope covers).
 * Only fields whose scope the reference states are listed; anything else (shop, currentAppInstallation, app-owned
 * metafields, bulk operations, node) needs no scope of its own.
 */
export const REQUIRED_SCOPE: Record<string, string> = {
  "QueryRoot.customers": "read_customers",
  "QueryRoot.customer": "read_customers",
  "Order.customer": "read_customers",
  "QueryRoot.orders": "read_orders",
  "QueryRoot.order": "read_orders",
  "Customer.orders": "read_orders",
  "QueryRoot.products": "read_products",
  "QueryRoot.product": "read_products",
  "QueryRoot.productVariant": "read_products",
  "QueryRoot.collections": "read_products",
  "QueryRoot.themes": "read_themes",
  "QueryRoot.theme": "read_themes",
  "QueryRoot.discountNodes": "read_discounts",
  "QueryRoot.discountNode": "read_discounts",
  "QueryRoot.codeDiscountNodes": "read_discounts",
  "QueryRoot.codeDiscountNode": "read_discounts",
  "QueryRoot.codeDiscountNodeByCode": "read_discounts",
  "QueryRoot.automaticDiscountNode": "read_discounts",
  "Mutation.discountCodeBasicCreate": "write_discounts",
  "Mutation.discountCodeBasicUpdate": "write_discounts",
  "Mutation.discountCodeAppCreate": "write_discounts",
  "Mutation.discountCodeAppUpdate": "write_discounts",
  "Mutation.discountCodeActivate": "write_discounts",
  "Mutation.discountCodeDeactivate": "write_discounts",
  "Mutation.discountCodeDelete": "write_discounts",
  // discountRedeemCodeBulkAdd: "Requires `write_discounts` access scope."; DiscountRedeemCodeBulkCreation:
  // "Requires Apps must have read_discounts access scope."
  "Mutation.discountRedeemCodeBulkAdd": "write_discounts",
  "QueryRoot.discountRedeemCodeBulkCreation": "read_discounts",
  // discountCodeRedeemCodeBulkDelete: "Requires `write_discounts` access scope."
  "Mutation.discountCodeRedeemCodeBulkDelete": "write_discounts",
  "Mutation.discountAutomaticBasicCreate": "write_discounts",
  "Mutation.discountAutomaticBasicUpdate": "write_discounts",
  "Mutation.discountAutomaticActivate": "write_discounts",
  "Mutation.discountAutomaticDeactivate": "write_discounts",
  "Mutation.discountAutomaticDelete": "write_discounts",
  "Mutation.refundCreate": "write_orders",
  "Mutation.orderCancel": "write_orders",
  // tagsAdd/tagsRemove on a Customer and segmentCreate: "Requires `write_customers` access scope."
  "Mutation.tagsAdd": "write_customers",
  "Mutation.tagsRemove": "write_customers",
  "Mutation.segmentCreate": "write_customers",
  // "Requires `write_payment_customizations` access scope." (paymentCustomizationCreate/Update/Activation pages).
  "Mutation.paymentCustomizationCreate": "write_payment_customizations",
  "Mutation.paymentCustomizationUpdate": "write_payment_customizations",
  "Mutation.paymentCustomizationActivation": "write_payment_customizations",
  "QueryRoot.paymentCustomizations": "read_payment_customizations",
  // AbandonedCheckout: "Requires `read_orders` access scope." (the user also needs manage_abandoned_checkouts).
  "QueryRoot.abandonedCheckouts": "read_orders",
  // webPixelCreate/Update: "Requires `write_pixels` access scope. Also: The app requires read_customer_events
  // access scope" (the second scope: ALSO_REQUIRED below). WebPixel: "Requires `read_pixels` access scope."
  "Mutation.webPixelCreate": "write_pixels",
  "Mutation.webPixelUpdate": "write_pixels",
  "QueryRoot.webPixel": "read_pixels",
};

/** Fields that need a second scope besides REQUIRED_SCOPE's (the reference's "Also: The app requires …"). */
export const ALSO_REQUIRED: Record<string, string> = {
  "Mutation.webPixelCreate": "read_customer_events",
  "Mutation.webPixelUpdate": "read_customer_events",
};

/**
 * Objects that are protected customer data (level 1): every field of them needs approved access
 * (protected-customer-data page, "Protected customer data API types and resources": Customers, Orders).
 */
export const PROTECTED_OBJECTS: Record<string, "Customer" | "Order"> = {
  "QueryRoot.customers": "Customer",
  "QueryRoot.customer": "Customer",
  "Order.customer": "Customer",
  "QueryRoot.orders": "Order",
  "QueryRoot.order": "Order",
  "Customer.orders": "Order",
  "Customer.lastOrder": "Order",
};

/**
 * Protected customer fields (level 2), each approved on its own: "Name: first and last names; Address: …; Email;
 * Phone" (protected-customer-data page, "Request access to protected customer data").
 */
export const PROTECTED_FIELDS: Record<string, ProtectedField> = {
  "Customer.firstName": "name",
  "Customer.lastName": "name",
  "Customer.displayName": "name",
  "Customer.email": "email",
  "Customer.defaultEmailAddress": "email",
  "Customer.phone": "phone",
  "Customer.defaultPhoneNumber": "phone",
  "Customer.defaultAddress": "address",
  "Customer.addresses": "address",
  "Customer.addressesV2": "address",
  "Order.email": "email",
  "Order.phone": "phone",
  "Order.billingAddress": "address",
  "Order.shippingAddress": "address",
};

/** Shopify's implied scopes: a `write_x` grant includes `read_x` (shopify-api's AuthScopes.getImpliedScopes). */
export function hasScope(granted: readonly string[], scope: string): boolean {
  if (granted.includes(scope)) return true;
  const m = /^(unauthenticated_)?read_(.+)$/.exec(scope);
  return Boolean(m && granted.includes(`${m[1] ?? ""}write_${m[2]}`));
}

/** Shopify's message and extensions for a missing scope (changelog 2020-07: "Access denied for <field>. Required access: <scope> access scope"). */
export function accessDeniedError(fieldName: string, scope: string): GraphQLError {
  return new GraphQLError(`Access denied for ${fieldName} field. Required access: \`${scope}\` access scope.`, {
    extensions: { code: "ACCESS_DENIED", documentation: ACCESS_SCOPES_DOCS, requiredAccess: `\`${scope}\` access scope.` },
  });
}

/** Shopify's answer for protected customer data the app is not approved for (data null, this error, HTTP 200). */
export function notApprovedError(objectName: string): GraphQLError {
  return new GraphQLError(`This app is not approved to access the ${objectName} object. See ${PROTECTED_DATA_DOCS} for more details.`, {
    extensions: { code: "ACCESS_DENIED", documentation: PROTECTED_DATA_DOCS },
  });
}

/** The error a field raises for this grant, or null when the app may read it. Scopes first, as Shopify checks. */
export function fieldAccessError(parentType: string, fieldName: string, scopes: readonly string[], pcd: ProtectedDataAccess): GraphQLError | null {
  const key = `${parentType}.${fieldName}`;
  const scope = REQUIRED_SCOPE[key];
  if (scope && !hasScope(scopes, scope)) return accessDeniedError(fieldName, scope);
  const also = ALSO_REQUIRED[key];
  if (also && !hasScope(scopes, also)) return accessDeniedError(fieldName, also);
  const object = PROTECTED_OBJECTS[key];
  if (object && pcd.level < 1) return notApprovedError(object);
  const field = PROTECTED_FIELDS[key];
  if (field && !(pcd.level >= 2 && pcd.fields.includes(field))) return notApprovedError(parentType);
  return null;
}

/** Webhook topics whose payloads are protected customer data (an order or a customer): not delivered without level 1. */
export function isProtectedTopic(topic: string): boolean {
  return /^(orders|refunds|customers|checkouts|draft_orders|fulfillments)\//.test(topic) && !COMPLIANCE_TOPICS.has(topic);
}

/** Mandatory compliance topics reach every app, whatever its protected-data access (they carry only ids). */
const COMPLIANCE_TOPICS = new Set(["customers/data_request", "customers/redact", "shop/redact"]);
