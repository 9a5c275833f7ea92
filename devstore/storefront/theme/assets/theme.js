// Dev Dawn storefront script: progressive enhancement over plain forms, using the Ajax Cart API like Dawn.
// Cart changes are announced with a `cart:updated` DOM event (detail: { source, cart }) for apps to listen to.
(() => {
  const routes = (window.Shopify && window.Shopify.routes) || { root: "/" };
  const post = (url, body) =>
    fetch(routes.root + url, {
      method: "POST",
      headers: { "Content-Type": "application/json", Accept: "application/json" },
      body: JSON.stringify(body),
    }).then(async (r) => {
      const json = await r.json();
      if (!r.ok) throw Object.assign(new Error(json.description || json.message), { response: json });
      return json;
    });
  const announce = (source, cart) => {
    const count = document.getElementById("cart-count");
    if (count && cart && typeof cart.item_count === "number") count.textContent = String(cart.item_count);
    document.dispatchEvent(new CustomEvent("cart:updated", { detail: { source, cart } }));
  };

  class ProductForm extends HTMLElement {
    connectedCallback() {
      this.form = this.querySelector("form");
      this.status = this.querySelector(".product-form__status");
      if (this.form) this.form.addEventListener("submit", (e) => this.onSubmit(e));
    }
    async onSubmit(event) {
      event.preventDefault();
      const data = new FormData(this.form);
      const button = this.form.querySelector("[type=submit]");
      button.setAttribute("aria-disabled", "true");
      try {
        await post("cart/add.js", { items: [{ id: Number(data.get("id")), quantity: Number(data.get("quantity") || 1) }] });
        const cart = await fetch(routes.root + "cart.js").then((r) => r.json());
        announce("product-form", cart);
        const added = this.querySelector("template.product-form__added");
        if (this.status && added) this.status.replaceChildren(added.content.cloneNode(true));
      } catch (err) {
        if (this.status) this.status.textContent = err.message;
      } finally {
        button.removeAttribute("aria-disabled");
      }
    }
  }

  class CartItems extends HTMLElement {
    connectedCallback() {
      this.addEventListener("change", (e) => {
        const input = e.target.closest("input[data-line]");
        if (input) this.update(Number(input.dataset.line), Number(input.value));
      });
      this.addEventListener("click", (e) => {
        const link = e.target.closest(".cart-item__remove");
        if (!link) return;
        e.preventDefault();
        this.update(Number(link.dataset.line), 0);
      });
    }
    async update(line, quantity) {
      const section = this.dataset.section;
      try {
        const cart = await post("cart/change.js", { line, quantity, sections: [section] });
        const html = cart.sections && cart.sections[section];
        if (html) {
          const next = new DOMParser().parseFromString(html, "text/html").querySelector("cart-items");
          if (next) this.innerHTML = next.innerHTML;
        }
        announce("cart-items", cart);
      } catch (err) {
        window.location.reload();
      }
    }
  }

  customElements.define("product-form", ProductForm);
  customElements.define("cart-items", CartItems);
})();
