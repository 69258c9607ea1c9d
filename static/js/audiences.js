// The three audiences (SPEC §1), in one place: their values, the staff's labels and the words a
// client reads in the portal. Every audience <select> is filled from here. (No imports: dom.js
// reads this module.)

export const AUDIENCES = [
  { value: "administrative", label: "Administrative", forClient: "The office (scheduling, forms)" },
  { value: "billing", label: "Billing", forClient: "Billing" },
  { value: "clinical", label: "Clinical", forClient: "My clinician" },
];

function option(value, label) {
  const node = document.createElement("option");
  node.value = value;
  node.textContent = label;
  return node;
}

export function audienceLabel(value) {
  return AUDIENCES.find((audience) => audience.value === value)?.label || value;
}

/**
 * Fill an audience <select>: `blank` is the label of an empty first choice (or none);
 * `client: true` uses the portal's words. The current value is kept.
 */
export function fillAudiences(select, { blank = null, client = false } = {}) {
  const value = select.value;
  select.replaceChildren(
    ...(blank ? [option("", blank)] : []),
    ...AUDIENCES.map((audience) => option(audience.value, client ? audience.forClient : audience.label)));
  select.value = value;
  if (select.selectedIndex < 0) select.selectedIndex = 0;
}
