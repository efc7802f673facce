/*
 * RevLoop website tracking. Embed on every page of the site:
 *   <script src="https://revloop.example.com/js/revloop-track.js" data-key="rlt_..." async></script>
 * It sends a page_view per page load and a form_submit per submitted form that has an email field (a form with
 * data-revloop-event="demo_request" or "content_download" sends that type instead; data-revloop-ignore skips a form).
 * The key can only add website touches, so it may sit in public HTML. An anonymous visitor id kept in localStorage
 * ties the page views to the person once a form tells who they are.
 */
(function () {
  "use strict";
  var script = document.currentScript;
  if (!script) return;
  var key = script.getAttribute("data-key");
  if (!key) return;
  var endpoint = new URL(script.src).origin + "/api/v1/track?key=" + encodeURIComponent(key);

  function uuid() {
    if (window.crypto && crypto.randomUUID) return crypto.randomUUID();
    return "v" + Date.now().toString(36) + Math.random().toString(36).slice(2);
  }

  function visitorId() {
    try {
      var id = localStorage.getItem("revloop_vid");
      if (!id) { id = uuid(); localStorage.setItem("revloop_vid", id); }
      return id;
    } catch (e) {
      return null; // storage blocked: the touch is still counted, only not tied to later ones
    }
  }

  function send(events) {
    // text/plain keeps the cross-origin request "simple" (no preflight); sendBeacon survives the page unloading.
    var body = JSON.stringify({ events: events });
    var blob = new Blob([body], { type: "text/plain" });
    if (navigator.sendBeacon && navigator.sendBeacon(endpoint, blob)) return;
    fetch(endpoint, { method: "POST", body: body, mode: "no-cors", keepalive: true, headers: { "Content-Type": "text/plain" } });
  }

  function event(type, extra) {
    var e = { id: uuid(), type: type, occurredAt: new Date().toISOString(), url: location.href };
    var v = visitorId();
    if (v) e.visitorId = v;
    for (var k in extra) if (Object.prototype.hasOwnProperty.call(extra, k)) e[k] = extra[k];
    return e;
  }

  function field(form, names) {
    for (var i = 0; i < names.length; i++) {
      var el = form.elements.namedItem(names[i]);
      if (el && typeof el.value === "string" && el.value.trim()) return el.value.trim();
    }
    return undefined;
  }

  document.addEventListener("submit", function (e) {
    var form = e.target;
    if (!(form instanceof HTMLFormElement) || form.hasAttribute("data-revloop-ignore")) return;
    var emailInput = form.querySelector("input[type=email]");
    var email = emailInput && emailInput.value.trim() ? emailInput.value.trim() : field(form, ["email", "Email"]);
    if (!email) return;
    var type = form.getAttribute("data-revloop-event") || "form_submit";
    send([event(type, {
      email: email,
      person: {
        firstName: field(form, ["firstName", "first_name", "firstname"]),
        lastName: field(form, ["lastName", "last_name", "lastname"]),
        company: field(form, ["company", "organisation", "organization"]),
        title: field(form, ["title", "jobTitle", "job_title"]),
        phone: field(form, ["phone", "tel"]),
        country: field(form, ["country"])
      }
    })]);
  }, true);

  window.revloop = { track: function (type, extra) { send([event(type, extra || {})]); } };
  send([event("page_view", {})]);
})();
