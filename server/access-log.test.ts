import { describe, expect, it } from "vitest";
import { redactUrl } from "./access-log";

describe("redactUrl", () => {
  it("GIVEN an app proxy request WHEN logged THEN the signature and customer id are gone, the parameter names stay", () => {
    const url = "/apps/proxy/profile?shop=a.myshopify.com&logged_in_customer_id=777123&path_prefix=%2Fapps%2Frp&timestamp=1&signature=ab12cd";
    expect(redactUrl(url)).toBe("/apps/proxy/profile?shop=…&logged_in_customer_id=…&path_prefix=…&timestamp=…&signature=…");
  });

  it("GIVEN admin URLs with an id_token and a customer search WHEN logged THEN neither the token nor the email remains", () => {
    expect(redactUrl("/app?embedded=1&id_token=eyJhbGciOi.x.y&host=YWRtaW4")).toBe("/app?embedded=…&id_token=…&host=…");
    expect(redactUrl("/app/customers?q=jane.doe%40example.com")).toBe("/app/customers?q=…");
  });

  it("GIVEN a value smuggled as a parameter name, a bare path, a fragment or an empty query THEN nothing of it is logged", () => {
    expect(redactUrl("/app/customers?jane.doe%40example.com")).toBe("/app/customers??=…");
    expect(redactUrl("/healthz")).toBe("/healthz");
    expect(redactUrl("/app#token=abc")).toBe("/app");
    expect(redactUrl("/app?")).toBe("/app");
    expect(redactUrl("/x?%E0%A4%A=1")).toBe("/x??=…");
  });
});
