// Choosing people, stages and iterations: progressive enhancement only.
//
// - A box marked data-module="app-people-picker" (the team and board form) becomes GOV.UK's
//   accessible autocomplete: type part of a name or email, choose from the suggestions the
//   server sends (/people/search). The box is then filled with "Name (email)", which the
//   server understands. Without JavaScript it stays a plain box for an email or full name.
// - A <select data-module="app-select-picker"> (a project's manager, a risk's owner) becomes
//   the same autocomplete over its own options; the select stays the field that is posted.
// - A <select data-narrow-by="project_id" data-projects='{"option": project}'> (a time
//   entry's stage, iteration and item) offers only the options of the project chosen in
//   the named select. The server still checks every choice.

const AUTOCOMPLETE = new URL(
  "../vendor/accessible-autocomplete/accessible-autocomplete.min.js",
  import.meta.url,
);

function loadAutocomplete() {
  if (window.accessibleAutocomplete) {
    return Promise.resolve(window.accessibleAutocomplete);
  }
  return new Promise((resolve, reject) => {
    const script = document.createElement("script");
    script.src = AUTOCOMPLETE.href;
    script.onload = () => resolve(window.accessibleAutocomplete);
    script.onerror = reject;
    document.head.append(script);
  });
}

function escapeHtml(text) {
  const span = document.createElement("span");
  span.textContent = text;
  return span.innerHTML;
}

function personText(person) {
  if (!person) return "";
  return typeof person === "string" ? person : `${person.name} (${person.email})`;
}

function peopleSource(url, id) {
  let controller = null;
  return (query, populateResults) => {
    controller?.abort();
    controller = new AbortController();
    const address = `${url}?q=${encodeURIComponent(query)}`;
    fetch(address, {
      headers: { Accept: "application/json" },
      credentials: "same-origin",
      signal: controller.signal,
    })
      .then((response) => (response.ok ? response.json() : { people: [] }))
      .then((data) => {
        // Answers that arrive after the person has moved on would open the list over
        // the next fields.
        if (document.activeElement?.id === id) populateResults(data.people);
      })
      .catch(() => {});
  };
}

function enhancePeoplePicker(accessibleAutocomplete, wrapper) {
  const input = wrapper.querySelector("input");
  if (!input) return;
  const container = document.createElement("div");
  container.className = "app-people-picker";
  input.after(container);
  const describedBy = input.getAttribute("aria-describedby");
  const { id, name, value } = input;
  input.remove();
  accessibleAutocomplete({
    element: container,
    id,
    name,
    defaultValue: value,
    minLength: 2,
    source: peopleSource(wrapper.dataset.source, id),
    templates: {
      inputValue: personText,
      suggestion: (person) =>
        typeof person === "string"
          ? escapeHtml(person)
          : `${escapeHtml(person.name)} <span class="app-people-picker__email">${escapeHtml(person.email)}</span>`,
    },
    showNoOptionsFound: true,
    tNoResults: () => "No one found: type their full email address",
    confirmOnBlur: false,
    // Over the fields below, not between them: a list that closed on blur would otherwise
    // pull the button up from under the pointer.
    displayMenu: "overlay",
    inputClasses: input.classList.contains("govuk-input--error") ? "govuk-input--error" : "",
  });
  const created = document.getElementById(id);
  if (created && describedBy) {
    const own = created.getAttribute("aria-describedby");
    created.setAttribute("aria-describedby", [describedBy, own].filter(Boolean).join(" "));
  }
}

function enhanceSelect(accessibleAutocomplete, select) {
  accessibleAutocomplete.enhanceSelectElement({
    selectElement: select,
    defaultValue: "",
    showAllValues: true,
    dropdownArrow: () => "",
  });
}

function narrowToProject(select) {
  const by = document.getElementById(select.dataset.narrowBy);
  if (!by) return;
  const projectOf = JSON.parse(select.dataset.projects || "{}");
  const all = [...select.options];
  const narrow = () => {
    const project = by.value;
    const chosen = select.value;
    select.replaceChildren(
      ...all.filter(
        (option) => option.value === "" || !project || String(projectOf[option.value]) === project,
      ),
    );
    select.value = [...select.options].some((option) => option.value === chosen) ? chosen : "";
  };
  by.addEventListener("change", narrow);
  narrow();
}

export function initPickers(root = document) {
  for (const select of root.querySelectorAll("select[data-narrow-by]")) {
    narrowToProject(select);
  }
  const people = root.querySelectorAll('[data-module="app-people-picker"]');
  const selects = root.querySelectorAll('select[data-module="app-select-picker"]');
  if (!people.length && !selects.length) return;
  loadAutocomplete()
    .then((accessibleAutocomplete) => {
      for (const wrapper of people) enhancePeoplePicker(accessibleAutocomplete, wrapper);
      for (const select of selects) enhanceSelect(accessibleAutocomplete, select);
    })
    .catch(() => {
      // The plain fields still work.
    });
}
