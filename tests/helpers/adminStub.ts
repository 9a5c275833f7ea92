// A local stand-in for the Admin GraphQL endpoint for the admin tests: validates every document against the pinned
// 2026-07 schema (like Shopify would), answers by operation name from per-test handlers, records every call, and can
// be told to fail. Listens on 127.0.0.1 with port 0.
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { parse, validate, type OperationDefinitionNode } from "graphql";
import { adminSchema } from "../../app/graphql/schema.server";

export interface AdminCall {
  operation: string;
  query: string;
  variables: Record<string, unknown>;
  shop: string | null;
}

export type Handler = (variables: Record<string, unknown>, call: AdminCall) => unknown;

export interface AdminStub {
  origin: string;
  calls: AdminCall[];
  handlers: Record<string, Handler>;
  close(): Promise<void>;
}

export async function startAdminStub(handlers: Record<string, Handler> = {}): Promise<AdminStub> {
  const calls: AdminCall[] = [];
  const stub = { calls, handlers } as AdminStub;
  const server: Server = createServer((req, res) => {
    let raw = "";
    req.on("data", (c) => (raw += c));
    req.on("end", () => {
      const send = (status: number, body: unknown) => {
        res.writeHead(status, { "Content-Type": "application/json" });
        res.end(JSON.stringify(body));
      };
      try {
        const { query, variables = {} } = JSON.parse(raw) as { query: string; variables?: Record<string, unknown> };
        const doc = parse(query);
        const errors = validate(adminSchema(), doc);
        if (errors.length) return send(200, { errors: errors.map((e) => ({ message: e.message })) });
        const op = doc.definitions.find((d): d is OperationDefinitionNode => d.kind === "OperationDefinition");
        const call: AdminCall = { operation: op?.name?.value ?? "", query, variables, shop: String(req.headers["x-shopify-shop-domain"] ?? "") || null };
        calls.push(call);
        const handler = stub.handlers[call.operation];
        if (!handler) return send(200, { errors: [{ message: `stub: no handler for ${call.operation}` }] });
        const data = handler(variables, call);
        if (data instanceof Error) return send(200, { errors: [{ message: data.message }] });
        return send(200, { data });
      } catch (error) {
        send(400, { errors: [{ message: String(error) }] });
      }
    });
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  stub.origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  stub.close = () => new Promise((r) => server.close(() => r()));
  return stub;
}

/** Theme files as Shopify stores them, with our app embed on/off and optional cart/product blocks. */
export function themeFiles(opts: { embed: boolean; cartBlock?: boolean; productBlock?: boolean }) {
  const block = (handle: string) => ({ type: `shopify://apps/recovery-plays/blocks/${handle}/0d5c6e39-2f0a-4c4b-9d1e-1a2b3c4d5e6f`, settings: {} });
  const settings = {
    current: { blocks: { "1234": { ...block("app-embed"), disabled: !opts.embed } } },
  };
  const template = (placed: boolean | undefined) => ({
    sections: { main: { type: "main", blocks: placed ? { a1: block("cart-confidence") } : {} } },
    order: ["main"],
  });
  return [
    { filename: "config/settings_data.json", body: { content: `/* generated */\n${JSON.stringify(settings)}` } },
    { filename: "templates/cart.json", body: { content: JSON.stringify(template(opts.cartBlock)) } },
    { filename: "templates/product.json", body: { content: JSON.stringify(template(opts.productBlock)) } },
  ];
}
