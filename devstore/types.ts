/**
 * Data shapes of the local dev store (the stand-in for Shopify). Shared by the Admin API resolvers
 * (devstore/admin), the storefront (devstore/storefront) and the seed generator (devstore/seed).
 * Ids are numeric strings; GIDs are built as gid://shopify/<Type>/<id> at the API edge.
 * Money is a decimal number in the shop currency.
 */
export interface DevShop {
  domain: string; // e.g. recovery-plays-demo.myshopify.com
  name: string;
  email: string;
  currencyCode: string;
  plan: "basic" | "shopify" | "advanced" | "plus";
  refundPolicy: string; // body text of the refund policy page
  shippingPolicy: string;
  /** Payment options shown at checkout (wallets/cards/BNPL), used by the VIP play. */
  paymentMethods: string[];
  /**
   * Markets: the other currencies shoppers may browse in, each with Shopify's rate from the shop's currency
   * (presentment units per shop unit, as `window.Shopify.currency.rate`).
   */
  presentmentRates?: Record<string, number>;
}

export interface DevVariant {
  id: string;
  productId: string;
  title: string;
  price: number;
  sku: string;
  inventoryQuantity: number;
}

export interface DevProduct {
  id: string;
  handle: string;
  title: string;
  description: string;
  productType: string;
  vendor: string;
  tags: string[];
  collection: string; // collection handle
  imageUrl: string | null;
  variants: DevVariant[];
  /** Product ids used by /recommendations/products.json. */
  related: string[];
  complementary: string[];
  createdAt: string;
}

export interface DevCustomer {
  id: string;
  email: string;
  firstName: string;
  lastName: string;
  createdAt: string;
  /** Password for the local storefront login (demo only). */
  password: string;
  /** Shopify's statistics.rfmGroup as the dev store reports it (CustomerRfmGroup), or null. */
  rfmGroup: string | null;
  /** Shopify's statistics.predictedSpendTier (CustomerPredictedSpendTier), or null. Optional: added by the admin side. */
  predictedSpendTier?: string | null;
}

export interface DevLineItem {
  id: string;
  productId: string;
  variantId: string;
  title: string;
  quantity: number;
  price: number;
  /** The discount allocated to this line at checkout (absent on seeded orders: allocated pro rata then). */
  discount?: number;
  /** Line item properties from the cart line (e.g. the storefront's bundle tag). */
  properties?: { name: string; value: string }[];
}

export interface DevOrder {
  id: string;
  name: string; // #1001
  customerId: string | null;
  createdAt: string;
  updatedAt: string;
  cancelledAt: string | null;
  /** OrderCancelReason of a cancelled order (orderCancel); absent on seeded ones. */
  cancelReason?: string | null;
  financialStatus: "PAID" | "PARTIALLY_REFUNDED" | "REFUNDED" | "PENDING" | "VOIDED";
  currencyCode: string;
  subtotal: number;
  totalDiscounts: number;
  total: number;
  /** Sum of refunds on the order. */
  refunded: number;
  refunds: DevRefund[];
  lineItems: DevLineItem[];
  /** Cart attributes carried into the order (note_attributes / customAttributes). */
  attributes: { key: string; value: string }[];
  discountCodes: string[];
}

/** A refund on an order. Seeded refunds carry only the money; refundCreate also records its lines and transactions. */
export interface DevRefund {
  id: string;
  createdAt: string;
  /** Money returned (the sum of the refund transactions). */
  amount: number;
  note?: string | null;
  lineItems?: { id: string; lineItemId: string; quantity: number; restockType: string }[];
  transactions?: { id: string; amount: number; gateway: string }[];
}

export interface DevMetafield {
  id: string;
  ownerId: string; // GID of the owner (AppInstallation, Customer, Shop…)
  namespace: string;
  key: string;
  type: string;
  value: string;
  updatedAt: string;
}

export interface DevDiscount {
  id: string;
  title: string;
  /** code_app: a code discount whose value a Shopify Function decides (discountCodeAppCreate). */
  kind: "automatic_basic" | "automatic_bxgy" | "code_basic" | "code_app";
  /** Fraction off, 0–1, as the Admin API's DiscountPercentage.percentage (0.1 = 10 % off). */
  percentage: number;
  productIds: string[];
  status: "ACTIVE" | "EXPIRED" | "SCHEDULED";
  startsAt: string;
  endsAt: string | null;
  /** Optional details kept by the Admin API (discountAutomaticBasic*); absent on older records. */
  amount?: number | null;
  appliesToAll?: boolean;
  minimumSubtotal?: number | null;
  minimumQuantity?: number | null;
  combinesWith?: { orderDiscounts: boolean; productDiscounts: boolean; shippingDiscounts: boolean };
  /** code_basic / code_app: the code shoppers enter (unique per shop, case-insensitive). */
  code?: string;
  /** code_app only: the Function's extension handle, its discount classes and the discount's metafields
   * ("namespace.key" → JSON value string), which the Function reads through its input query. */
  functionHandle?: string;
  discountClasses?: ("PRODUCT" | "ORDER" | "SHIPPING")[];
  metafields?: Record<string, string>;
  /**
   * code_basic only: uses allowed PER CODE (null = unlimited) and one use per customer. Shopify applies the
   * discount's usageLimit to each of its redeem codes separately, not to their total.
   */
  usageLimit?: number | null;
  /** Redeem codes added with discountRedeemCodeBulkAdd besides `code` (each unique per shop, case-insensitive). */
  redeemCodes?: string[];
  /** DiscountRedeemCode ids of the redeem codes (lower-cased code → id), given when added; deleted codes lose theirs. */
  redeemCodeIds?: Record<string, string>;
  /** discountRedeemCodeBulkAdd requests: the codes asked for and, per code, why it was refused (null = added). */
  bulkCreations?: { id: string; createdAt: string; codes: { code: string; error: string | null }[] }[];
  appliesOncePerCustomer?: boolean;
  tags?: string[];
  createdAt?: string;
  updatedAt?: string;
}

export interface DevStoreData {
  shop: DevShop;
  products: DevProduct[];
  customers: DevCustomer[];
  orders: DevOrder[];
  metafields: DevMetafield[];
  discounts: DevDiscount[];
  /**
   * The app's discount Functions deployed on this store, by handle. Unset: every Function the app ships (what
   * `shopify app deploy` gives a store). A list without a handle models a store where that Function is not
   * deployed: discountCodeAppCreate answers "Function not found.".
   */
  deployedFunctions?: string[];
  /**
   * The live theme's files by name, as Shopify's theme files API returns them (e.g. "config/settings_data.json",
   * "templates/cart.json", "templates/product.json"). Owned by the storefront (theme editor stand-in writes
   * app embed / app block state here); read by the Admin API resolvers (themes / theme.files) so the app's
   * onboarding checks the real state.
   */
  themeFiles: Record<string, string>;
  /** Payment customizations (paymentCustomizationCreate); the checkout runs the enabled ones' Function logic. */
  paymentCustomizations?: DevPaymentCustomization[];
  /** The app's web pixel (webPixelCreate): its settings, handed to the pixel the checkout runs. */
  webPixels?: { id: string; settings: Record<string, string> }[];
  /** Checkouts the storefront started; the Admin API lists the abandoned ones (abandonedCheckouts). */
  checkouts?: DevCheckout[];
}

/** A checkout on the dev store (one per cart token; Shopify's checkout token). */
export interface DevCheckout {
  id: string;
  token: string;
  customerId: string | null;
  /** Cart attributes carried into checkout (customAttributes; `_rp_vid` among them). */
  attributes: { key: string; value: string }[];
  total: number;
  quantity: number;
  createdAt: string;
  updatedAt: string;
  /** When contact information was given (a logged-in customer's at once): only then can it be abandoned. */
  contactAt: string | null;
  completedAt: string | null;
  /** Set when a checkout listed as abandoned is completed later (Shopify then shows it as recovered). */
  abandonedAt?: string | null;
}

export interface DevPaymentCustomization {
  id: string;
  title: string;
  enabled: boolean;
  /** The Function's extension handle (functionHandle) or id (functionId). */
  functionHandle: string;
  /** The customization's metafields, app-reserved namespaces resolved: "namespace.key" → {type, value}. */
  metafields: Record<string, { type: string; value: string }>;
}
