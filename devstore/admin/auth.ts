// Session tokens (the JWT App Bridge hands the app) and OAuth token exchange at /admin/oauth/access_token:
// token exchange (offline/online, expiring offline tokens with refresh tokens) and the refresh_token grant,
// answered in Shopify's shapes. Access tokens are opaque shpat_/shpua_ strings remembered per shop.
import { createHmac, randomBytes, randomUUID, timingSafeEqual } from "node:crypto";
import { hs256Jwt } from "../signing";

export interface SessionTokenClaims {
  iss: string;
  dest: string;
  aud: string;
  sub: string;
  exp: number;
  nbf: number;
  iat: number;
  jti: string;
  sid: string;
  sig?: string;
}

export const STAFF_USER_ID = "70000000001";

export function signSessionToken(shop: string, apiKey: string, apiSecret: string, opts: { ttlSeconds?: number; sub?: string; now?: number } = {}): string {
  const now = Math.floor((opts.now ?? Date.now()) / 1000);
  const claims: SessionTokenClaims = {
    iss: `https://${shop}/admin`,
    dest: `https://${shop}`,
    aud: apiKey,
    sub: opts.sub ?? STAFF_USER_ID,
    exp: now + (opts.ttlSeconds ?? 60),
    nbf: now,
    iat: now,
    jti: randomUUID(),
    sid: createHmac("sha256", "sid").update(`${shop}:${opts.sub ?? STAFF_USER_ID}`).digest("hex").slice(0, 32),
  };
  return hs256Jwt(claims, apiSecret);
}

/** Verifies signature (HS256 with the app secret), audience and time claims (10 s leeway, like the library). */
export function verifySessionToken(token: string, apiKey: string, apiSecret: string, now = Date.now()): SessionTokenClaims | null {
  const parts = token.split(".");
  if (parts.length !== 3) return null;
  const [head, body, sig] = parts as [string, string, string];
  try {
    const header = JSON.parse(Buffer.from(head, "base64url").toString("utf8")) as { alg?: string };
    if (header.alg !== "HS256") return null;
    const expected = createHmac("sha256", apiSecret).update(`${head}.${body}`).digest();
    const given = Buffer.from(sig, "base64url");
    if (given.length !== expected.length || !timingSafeEqual(given, expected)) return null;
    const claims = JSON.parse(Buffer.from(body, "base64url").toString("utf8")) as SessionTokenClaims;
    const t = Math.floor(now / 1000);
    if (claims.aud !== apiKey || claims.exp + 10 < t || claims.nbf - 10 > t) return null;
    if (!/^https:\/\/[^/]+\/admin$/.test(claims.iss) || claims.dest !== claims.iss.replace(/\/admin$/, "")) return null;
    return claims;
  } catch {
    return null;
  }
}

interface IssuedToken {
  shop: string;
  scope: string;
  expiresAt: number | null;
  online: boolean;
}

export const ACCESS_TOKEN_TTL = 3600; // expiring offline tokens last 60 minutes
export const REFRESH_TOKEN_TTL = 90 * 86_400; // refresh tokens last 90 days

export class TokenStore {
  private access = new Map<string, IssuedToken>();
  private refresh = new Map<string, { shop: string; scope: string; expiresAt: number; used: boolean }>();

  constructor(private clock: () => number = Date.now) {}

  check(token: string | undefined | null, shop: string): boolean {
    if (!token) return false;
    const t = this.access.get(token);
    return Boolean(t && t.shop === shop && (t.expiresAt === null || t.expiresAt > this.clock()));
  }

  /** The scopes the token was issued with (its grant), or null for an unknown, expired or other-shop token. */
  scopeOf(token: string | undefined | null, shop: string): string[] | null {
    if (!token || !this.check(token, shop)) return null;
    return this.access.get(token)!.scope.split(",").filter(Boolean);
  }

  issueOffline(shop: string, scope: string, expiring: boolean) {
    const access_token = `shpat_${randomBytes(16).toString("hex")}`;
    if (!expiring) {
      this.access.set(access_token, { shop, scope, expiresAt: null, online: false });
      return { access_token, scope };
    }
    this.access.set(access_token, { shop, scope, expiresAt: this.clock() + ACCESS_TOKEN_TTL * 1000, online: false });
    const refresh_token = `shprt_${randomBytes(16).toString("hex")}`;
    this.refresh.set(refresh_token, { shop, scope, expiresAt: this.clock() + REFRESH_TOKEN_TTL * 1000, used: false });
    return { access_token, scope, expires_in: ACCESS_TOKEN_TTL, refresh_token, refresh_token_expires_in: REFRESH_TOKEN_TTL };
  }

  issueOnline(shop: string, scope: string, userId: string) {
    const access_token = `shpua_${randomBytes(16).toString("hex")}`;
    const ttl = 86_400;
    this.access.set(access_token, { shop, scope, expiresAt: this.clock() + ttl * 1000, online: true });
    return {
      access_token,
      scope,
      expires_in: ttl,
      associated_user_scope: scope,
      session: randomUUID(),
      associated_user: {
        id: Number(userId),
        first_name: "Dev",
        last_name: "Merchant",
        email: "owner@recovery-plays-demo.example",
        account_owner: true,
        locale: "en",
        collaborator: false,
        email_verified: true,
      },
    };
  }

  /** The refresh_token grant: a new access/refresh pair; the old refresh token stays valid until the new one is used. */
  useRefresh(token: string, shop: string) {
    const r = this.refresh.get(token);
    if (!r || r.shop !== shop || r.expiresAt <= this.clock()) return null;
    r.used = true;
    return this.issueOffline(shop, r.scope, true);
  }

  revokeShop(shop: string): void {
    for (const [k, v] of this.access) if (v.shop === shop) this.access.delete(k);
    for (const [k, v] of this.refresh) if (v.shop === shop) this.refresh.delete(k);
  }
}

export interface OAuthRequest {
  client_id?: string;
  client_secret?: string;
  grant_type?: string;
  subject_token?: string;
  subject_token_type?: string;
  requested_token_type?: string;
  expiring?: string | number;
  refresh_token?: string;
}

/** POST /admin/oauth/access_token → [status, body] in Shopify's shapes. */
export function accessTokenEndpoint(
  req: OAuthRequest,
  shop: string,
  env: { apiKey: string; apiSecret: string; scopes: string[]; tokens: TokenStore },
): [number, Record<string, unknown>] {
  if (req.client_id !== env.apiKey || req.client_secret !== env.apiSecret) {
    return [401, { error: "invalid_client", error_description: "Client authentication failed due to unknown client, no client authentication included, or unsupported authentication method." }];
  }
  const scope = env.scopes.join(",");
  if (req.grant_type === "urn:ietf:params:oauth:grant-type:token-exchange") {
    if (req.subject_token_type !== "urn:ietf:params:oauth:token-type:id_token") {
      return [400, { error: "invalid_request", error_description: "subject_token_type must be urn:ietf:params:oauth:token-type:id_token" }];
    }
    const claims = req.subject_token ? verifySessionToken(req.subject_token, env.apiKey, env.apiSecret) : null;
    if (!claims || claims.dest !== `https://${shop}`) {
      return [400, { error: "invalid_subject_token", error_description: "Token verification failed" }];
    }
    if (req.requested_token_type === "urn:shopify:params:oauth:token-type:online-access-token") {
      return [200, env.tokens.issueOnline(shop, scope, claims.sub)];
    }
    if (req.requested_token_type && req.requested_token_type !== "urn:shopify:params:oauth:token-type:offline-access-token") {
      return [400, { error: "invalid_request", error_description: "Unsupported requested_token_type" }];
    }
    const expiring = String(req.expiring ?? "0") === "1";
    return [200, env.tokens.issueOffline(shop, scope, expiring)];
  }
  if (req.grant_type === "refresh_token") {
    const issued = req.refresh_token ? env.tokens.useRefresh(req.refresh_token, shop) : null;
    if (!issued) return [400, { error: "invalid_grant", error_description: "The refresh token is invalid, expired or was revoked." }];
    return [200, issued];
  }
  return [400, { error: "unsupported_grant_type", error_description: "The authorization grant type is not supported by the authorization server." }];
}
