/**
 * jsdom knows nothing of Polaris web components. Checkout's host elements expose their custom events as
 * `on<event>` properties (see BannerElement.ondismiss in @shopify/ui-extensions), which is how Preact picks the
 * lowercase event name for `onDismiss`; register stand-ins with those properties so the same listener wiring
 * happens here.
 */
const EVENT_PROPERTIES: Record<string, string[]> = {
  "s-banner": ["ondismiss", "onafterhide"],
};

for (const [tag, props] of Object.entries(EVENT_PROPERTIES)) {
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
