// Drag a backlog row to a new place: progressive enhancement of the Up / Down / Top
// buttons, which do the same without JavaScript (and stay, for keyboard users).
//
// Each movable row carries its move URL and its place among the items that can move
// (data-place). Dropping row A on row B submits A's own form (with its CSRF token and the
// rank the page showed) with position = B's place, so the server applies it, refuses it if
// the order changed meanwhile, and redirects back to the backlog.
const table = document.querySelector("table[data-backlog-order]");

if (table) {
  const rows = Array.from(table.querySelectorAll("tr[data-place]"));
  let dragged = null;

  for (const row of rows) {
    row.draggable = true;
    row.classList.add("app-backlog__row--draggable");
    row.addEventListener("dragstart", (event) => {
      dragged = row;
      row.classList.add("app-backlog__row--dragging");
      event.dataTransfer.effectAllowed = "move";
      event.dataTransfer.setData("text/plain", row.dataset.title || "");
    });
    row.addEventListener("dragend", () => {
      row.classList.remove("app-backlog__row--dragging");
      for (const other of rows) other.classList.remove("app-backlog__row--target");
      dragged = null;
    });
    row.addEventListener("dragover", (event) => {
      if (!dragged || dragged === row) return;
      event.preventDefault();
      event.dataTransfer.dropEffect = "move";
      row.classList.add("app-backlog__row--target");
    });
    row.addEventListener("dragleave", () => row.classList.remove("app-backlog__row--target"));
    row.addEventListener("drop", (event) => {
      event.preventDefault();
      if (!dragged || dragged === row) return;
      const form = dragged.querySelector("form.app-backlog__move");
      if (!form) return;
      const position = document.createElement("input");
      position.type = "hidden";
      position.name = "position";
      position.value = row.dataset.place;
      form.appendChild(position);
      form.submit(); // no button pressed: no "move" value, so the position is used
    });
  }
}
