// Jiceng: behaviour without inline scripts (the Content-Security-Policy forbids them).
document.addEventListener("change", (event) => {
  const el = event.target;
  if (el instanceof HTMLSelectElement && el.classList.contains("js-autosubmit")) {
    el.form.submit();
  }
});
document.addEventListener("submit", (event) => {
  const form = event.target;
  const question = form.dataset ? form.dataset.confirm : null;
  if (question && !window.confirm(question)) {
    event.preventDefault();
  }
});

// Sortable tables: <table data-sortable>. Each header cell gets a button; clicking it sorts the
// body rows by that column, ascending then descending, and sets aria-sort. A cell's
// data-sort-value (a number) wins over its text; empty cells sort last either way.
// <th data-sort="none"> leaves a column unsortable.
(() => {
  const collator = new Intl.Collator(document.documentElement.lang || undefined, { numeric: true });
  const keyOf = (cell) => {
    if (!cell) return { empty: true };
    const raw = cell.dataset.sortValue;
    if (raw !== undefined && raw !== "") {
      const num = Number(raw);
      return Number.isNaN(num) ? { text: raw } : { num };
    }
    if (raw === "") return { empty: true };
    const text = cell.textContent.trim();
    if (!text) return { empty: true };
    const plain = text.replace(/[,\s%\u00a5\uffe5]/g, "");
    if (/^-?\d+(\.\d+)?$/.test(plain)) return { num: Number(plain) };
    return { text };
  };
  const compare = (a, b) => {
    if (a.num !== undefined && b.num !== undefined) return a.num - b.num;
    if (a.num !== undefined) return -1;
    if (b.num !== undefined) return 1;
    return collator.compare(a.text, b.text);
  };
  const sortBy = (table, th) => {
    const headRow = th.parentElement;
    const index = Array.from(headRow.children).indexOf(th);
    const direction = th.getAttribute("aria-sort") === "ascending" ? "descending" : "ascending";
    headRow.querySelectorAll("th[aria-sort]").forEach((other) => other.removeAttribute("aria-sort"));
    th.setAttribute("aria-sort", direction);
    const sign = direction === "ascending" ? 1 : -1;
    Array.from(table.tBodies).forEach((tbody) => {
      const rows = Array.from(tbody.rows).map((row, position) => ({ row, position, key: keyOf(row.cells[index]) }));
      rows.sort((x, y) => {
        if (x.key.empty || y.key.empty) {
          if (x.key.empty && y.key.empty) return x.position - y.position;
          return x.key.empty ? 1 : -1;
        }
        return sign * compare(x.key, y.key) || x.position - y.position;
      });
      rows.forEach(({ row }) => tbody.appendChild(row));
    });
  };
  const enhance = (table) => {
    if (table.dataset.sortableReady) return;
    table.dataset.sortableReady = "1";
    const head = table.tHead;
    if (!head || !head.rows.length) return;
    const headRow = head.rows[head.rows.length - 1];
    Array.from(headRow.cells).forEach((th) => {
      if (th.dataset.sort === "none" || th.colSpan > 1) return;
      const button = document.createElement("button");
      button.type = "button";
      button.className = "sort-button";
      while (th.firstChild) button.appendChild(th.firstChild);
      th.appendChild(button);
      button.addEventListener("click", () => sortBy(table, th));
    });
  };
  const init = () => document.querySelectorAll("table[data-sortable]").forEach(enhance);
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", init);
  } else {
    init();
  }
})();
