/**
 * jsdom knows nothing of Polaris web components. Checkout's host elements expose their custom events as
 * `on<event>` properties (see BannerElement.ondismiss in @shopify/ui-extensions), which is how Preact picks the
 * lowercase event name for `onDismiss`; register stand-ins with those properties so the same listener wiring
 * happens here.
 */
const EVENT_PROPERTIES: Record<string, string[]> = {
  "s-banner": ["ondismiss", "onafterhide"],
};

// Pure-logic test files run in the node environment, where there is no DOM to register into.
for (const [tag, props] of typeof customElements === "undefined" ? [] : Object.entries(EVENT_PROPERTIES)) {
  if (customElements.get(tag)) continue;
  customElements.define(
    tag,
    class extends HTMLElement {
      constructor() {
        super();
        for (const prop of props) (this as unknown as Record<string, unknown>)[prop] = null;
      }
    },
  );
}
