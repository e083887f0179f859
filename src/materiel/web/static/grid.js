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

  function enhanceAll() {
    if (typeof DataTable === "undefined") return;
    DataTable.ext.errMode = "throw";  // a console error, never an alert()
    document.querySelectorAll("table[data-grid]").forEach(enhance);
  }
  document.addEventListener("DOMContentLoaded", enhanceAll);
  document.addEventListener("htmx:afterSettle", enhanceAll);
})();
