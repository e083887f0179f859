// materiel web app: a table marked data-grid becomes sortable, filterable and paged
// (DataTables, served by this server). The server renders the whole table, so without
// JavaScript it is a plain table; numeric columns (th.n) sort by each cell's data-order,
// the raw value the server writes there, not by the text shown ("12,500").
(function () {
  "use strict";
  var PAGE = 25;

  function enhance(table) {
    if (typeof DataTable === "undefined" || DataTable.isDataTable(table)) return;
    var body = table.tBodies[0];
    var rows = body ? body.rows.length : 0;
    new DataTable(table, {
      order: [],  // the server's order until a header is chosen
      autoWidth: false,
      paging: rows > PAGE,
      lengthChange: rows > PAGE,
      pageLength: PAGE,
      lengthMenu: [25, 50, 100],
      // numbers by data-order; the others as text (an id such as "K001" is not a number)
      columnDefs: [{ targets: "n", type: "num" }, { targets: "_all", type: "html" }],
      language: {
        search: "Filter rows:",
        lengthMenu: "_MENU_ rows a page",
        info: "Rows _START_ to _END_ of _TOTAL_",
        infoEmpty: "No rows",
        infoFiltered: "(filtered from _MAX_)",
        zeroRecords: "No row matches the filter",
        entries: { _: "rows", 1: "row" }
      }
    });
    name(table);
  }

  // A page may hold several grids: each one's filter and page length are named after
  // its table's caption ("Filter rows of New contracts of the plan"), the words shown
  // first, so that speech input and screen readers tell them apart.
  function name(table) {
    var caption = table.caption ? table.caption.textContent.trim() : "";
    var box = table.closest(".dt-container");
    if (!caption || !box) return;
    var search = box.querySelector(".dt-search input");
    if (search) search.setAttribute("aria-label", "Filter rows of " + caption);
    var length = box.querySelector(".dt-length select");
    if (length) length.setAttribute("aria-label", "Rows a page of " + caption);
    // A wide table's scrolling box (the server's .table-scroll, a region one can focus to
    // scroll by keyboard) is now the grid's table cell: the filter and pages stay put.
    var outer = box.parentNode;
    if (outer && outer.classList.contains("table-scroll")) {
      var cell = table.parentNode;
      ["tabindex", "role", "aria-label"].forEach(function (attribute) {
        var value = outer.getAttribute(attribute);
        if (value !== null) cell.setAttribute(attribute, value);
        outer.removeAttribute(attribute);
      });
      outer.classList.remove("table-scroll");
    }
  }

  // An edit in a grid's row: the server answers with the row anew (its cells' forms
  // carry the row's new version, and the edited cell its message). htmx would replace the
  // <tr>, which the grid still holds as its own (a sort or page would bring the old one
  // back), so its cells are written into the grid's row instead, and the grid re-reads
  // the row's sort and filter values (data-order, data-search) from them.
  function keepRow(event) {
    var old = event.detail.target;
    if (!old || old.tagName !== "TR" || typeof DataTable === "undefined") return;
    var table = old.closest("table");
    if (!table || !DataTable.isDataTable(table)) return;
    var holder = document.createElement("template");
    holder.innerHTML = "<table><tbody>" + event.detail.serverResponse + "</tbody></table>";
    var fresh = holder.content.querySelector("tr");
    if (!fresh || fresh.cells.length !== old.cells.length) return;  // htmx swaps it
    event.detail.shouldSwap = false;
    var focused = document.activeElement && old.contains(document.activeElement)
      ? document.activeElement.id : "";
    Array.prototype.forEach.call(fresh.attributes, function (a) { old.setAttribute(a.name, a.value); });
    Array.prototype.forEach.call(fresh.cells, function (cell, i) {
      var mine = old.cells[i];
      // the grid's own classes (dt-*, sorting_*) stay; the server's are the answer's
      var kept = Array.prototype.filter.call(mine.classList, function (c) {
        return c.indexOf("dt-") === 0 || c.indexOf("sorting_") === 0;
      });
      Array.prototype.slice.call(mine.attributes).forEach(function (a) { mine.removeAttribute(a.name); });
      Array.prototype.forEach.call(cell.attributes, function (a) { mine.setAttribute(a.name, a.value); });
      kept.forEach(function (c) { mine.classList.add(c); });
      mine.innerHTML = cell.innerHTML;
    });
    if (typeof htmx !== "undefined") htmx.process(old);
    new DataTable.Api(table).row(old).invalidate("dom");
    var again = focused && document.getElementById(focused);
    if (again) again.focus();
  }

  function enhanceAll() {
    if (typeof DataTable === "undefined") return;
    DataTable.ext.errMode = "throw";  // a console error, never an alert()
    document.querySelectorAll("table[data-grid]").forEach(enhance);
  }
  document.addEventListener("DOMContentLoaded", enhanceAll);
  document.addEventListener("htmx:afterSettle", enhanceAll);
  document.addEventListener("htmx:beforeSwap", keepRow);
})();
