// Counter intake: add rows, link a suggested person, show what the case type needs.
(function () {
  "use strict";
  const form = document.getElementById("intake");
  if (!form) return;
  const categories = JSON.parse(form.dataset.categories || "{}");

  // After htmx appends a row: count it in the formset and put the cursor in it.
  document.body.addEventListener("htmx:afterSwap", function (event) {
    const button = event.detail.requestConfig && event.detail.requestConfig.elt;
    if (!button || !button.dataset || !button.dataset.addRow) return;
    const total = document.getElementById("id_" + button.dataset.addRow + "-TOTAL_FORMS");
    total.value = String(Number(total.value) + 1);
    const rows = event.detail.target.querySelectorAll("fieldset.cm-row");
    const row = rows[rows.length - 1];
    htmx.process(row);
    applyKind(row);
    const first = row.querySelector("select, input:not([type=hidden])");
    if (first) first.focus();
  });

  // Individual or organization: show the fields that apply.
  function applyKind(row) {
    const kind = row.querySelector("select[name$='-kind']");
    if (!kind) return;
    const org = kind.value === "organization";
    row.querySelectorAll(".cm-individual").forEach((el) => (el.hidden = org));
    row.querySelectorAll(".cm-organization").forEach((el) => (el.hidden = !org));
  }
  form.querySelectorAll("fieldset.cm-row").forEach(applyKind);
  form.addEventListener("change", function (event) {
    if (event.target.name && event.target.name.endsWith("-kind")) {
      applyKind(event.target.closest("fieldset"));
    }
    if (event.target.name === "case_type") applyCategory();
  });

  // Charges are for criminal and traffic cases.
  function applyCategory() {
    const select = form.querySelector("select[name='case_type']");
    const category = categories[select.value];
    const section = document.getElementById("charges-section");
    section.hidden = Boolean(category) && category !== "criminal" && category !== "traffic";
  }
  applyCategory();

  // "Use <person>": link the party to the person on file.
  form.addEventListener("click", function (event) {
    const use = event.target.closest("[data-use-person]");
    if (use) {
      const row = document.getElementById("party-" + use.dataset.row);
      const set = (field, value) => {
        const input = row.querySelector("[name$='-" + field + "']");
        if (input) input.value = value || "";
      };
      set("person_id", use.dataset.personId);
      set("kind", use.dataset.kind);
      set("first_name", use.dataset.firstName);
      set("middle_name", use.dataset.middleName);
      set("last_name", use.dataset.lastName);
      set("organization_name", use.dataset.organizationName);
      set("date_of_birth", use.dataset.dateOfBirth);
      applyKind(row);
      row.querySelector(".cm-linked").hidden = false;
      row.querySelector(".cm-suggestions").innerHTML = "";
      row.querySelector(".cm-linked button").focus();
      return;
    }
    const unlink = event.target.closest("[data-unlink]");
    if (unlink) {
      const row = unlink.closest("fieldset");
      row.querySelector("[name$='-person_id']").value = "";
      row.querySelector(".cm-linked").hidden = true;
      row.querySelector("[name$='-first_name']").focus();
    }
  });

  const errors = document.getElementById("intake-errors");
  if (errors) errors.focus();
})();
