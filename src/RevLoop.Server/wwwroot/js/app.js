// RevLoop UI behaviour: keyboard shortcuts, the command palette, grid selection, charts, dates in the user's locale.
// Pages are rendered on the server and work without this file; it only adds speed and comfort.
(function () {
  "use strict";

  // --- The user's time zone, so the server can show times in it (and bucket months by it). ---
  try {
    var tz = Intl.DateTimeFormat().resolvedOptions().timeZone;
    if (tz && document.cookie.indexOf("revloop.tz=" + tz) < 0)
      document.cookie = "revloop.tz=" + tz + "; path=/; max-age=31536000; SameSite=Strict";
  } catch (e) { /* older browsers: the server shows UTC */ }

  function typing(el) {
    if (!el) return false;
    var tag = el.tagName;
    return tag === "INPUT" || tag === "TEXTAREA" || tag === "SELECT" || el.isContentEditable;
  }

  // --- Dates in the browser's locale; the server already rendered them in the user's zone. ---
  var formats = {
    date: new Intl.DateTimeFormat(undefined, { dateStyle: "medium" }),
    datetime: new Intl.DateTimeFormat(undefined, { dateStyle: "medium", timeStyle: "short" })
  };
  function localizeTimes(root) {
    root.querySelectorAll("time.local[datetime]").forEach(function (t) {
      var d = new Date(t.getAttribute("datetime"));
      if (isNaN(d)) return;
      var f = formats[t.dataset.format] || formats.date;
      t.textContent = f.format(d);
      t.title = formats.datetime.format(d);
    });
  }

  // --- Collapsible navigation that remembers its state. ---
  function setNav(collapsed) {
    document.documentElement.classList.toggle("nav-collapsed", collapsed);
    try { localStorage.setItem("revloop.nav", collapsed ? "collapsed" : "open"); } catch (e) { }
    document.querySelectorAll("[data-nav-toggle]").forEach(function (b) {
      b.setAttribute("aria-expanded", String(!collapsed));
      b.title = collapsed ? "Expand navigation" : "Collapse navigation";
    });
  }

  // --- Data grid: j/k move the selection, Enter opens, a click on a row opens it. ---
  function gridRows() {
    var grid = document.querySelector("table[data-keyboard-grid]");
    return grid ? Array.prototype.slice.call(grid.querySelectorAll("tbody tr[data-href]")) : [];
  }
  function selectRow(index) {
    var rows = gridRows();
    if (!rows.length) return;
    index = Math.max(0, Math.min(rows.length - 1, index));
    rows.forEach(function (r, i) {
      var on = i === index;
      r.classList.toggle("selected", on);
      if (on) r.setAttribute("aria-selected", "true"); else r.removeAttribute("aria-selected");
    });
    rows[index].scrollIntoView({ block: "nearest" });
  }
  function selectedIndex() {
    return gridRows().findIndex(function (r) { return r.classList.contains("selected"); });
  }

  // --- Command palette (Ctrl+K). ---
  function palette() { return document.getElementById("palette"); }
  function openPalette() {
    var dlg = palette();
    if (!dlg || dlg.open) return;
    dlg.showModal();
    var input = document.getElementById("palette-input");
    input.value = "";
    document.getElementById("palette-results").innerHTML = ""; // never act on the last visit's results
    input.focus();
    if (window.htmx) htmx.trigger(input, "palette-open");
  }
  function paletteItems() {
    return Array.prototype.slice.call(document.querySelectorAll("#palette-results .palette-item"));
  }
  function movePalette(delta) {
    var items = paletteItems();
    if (!items.length) return;
    var i = items.findIndex(function (x) { return x.classList.contains("active"); });
    i = i < 0 ? 0 : (i + delta + items.length) % items.length;
    items.forEach(function (x, j) { x.classList.toggle("active", j === i); x.setAttribute("aria-selected", String(j === i)); });
    items[i].scrollIntoView({ block: "nearest" });
  }

  document.addEventListener("keydown", function (e) {
    var k = e.key;
    if ((e.ctrlKey || e.metaKey) && (k === "k" || k === "K")) {
      e.preventDefault();
      var dlg = palette();
      if (dlg && dlg.open) dlg.close(); else openPalette();
      return;
    }
    var dlgOpen = palette() && palette().open;
    if (dlgOpen) {
      if (k === "ArrowDown") { e.preventDefault(); movePalette(1); }
      else if (k === "ArrowUp") { e.preventDefault(); movePalette(-1); }
      else if (k === "Enter") {
        var active = document.querySelector("#palette-results .palette-item.active") || paletteItems()[0];
        if (active) { e.preventDefault(); window.location.href = active.getAttribute("href"); }
      }
      return;
    }
    if (e.target && e.target.id === "global-search" && k === "ArrowDown") {
      var first = document.querySelector("#global-search-results a");
      if (first) { e.preventDefault(); first.focus(); }
      return;
    }
    if (e.target && e.target.closest && e.target.closest("#global-search-results") && (k === "ArrowDown" || k === "ArrowUp")) {
      e.preventDefault();
      var links = Array.prototype.slice.call(document.querySelectorAll("#global-search-results a"));
      var at = links.indexOf(e.target) + (k === "ArrowDown" ? 1 : -1);
      if (at < 0) document.getElementById("global-search").focus(); else if (links[at]) links[at].focus();
      return;
    }
    var openMenu = k === "Escape" && document.querySelector("details.filter-menu[open], details.user-menu[open], details.card-move[open]");
    if (openMenu) {
      openMenu.open = false;
      openMenu.querySelector("summary").focus();
      return;
    }
    // Escape inside an edit form that says where cancelling goes (data-cancel): leave it unsaved, like its Cancel link.
    var cancelForm = k === "Escape" && e.target && e.target.closest && e.target.closest("form[data-cancel]");
    if (cancelForm) {
      e.preventDefault();
      window.location.href = cancelForm.getAttribute("data-cancel");
      return;
    }
    if (k === "Escape" && document.activeElement && document.activeElement.id === "global-search") {
      document.activeElement.blur();
      return;
    }
    if (typing(e.target) || e.ctrlKey || e.metaKey || e.altKey) return;
    if (k === "/") {
      var search = document.getElementById("global-search");
      if (search) { e.preventDefault(); search.focus(); search.select(); }
    } else if (k === "j" || k === "k") {
      if (!gridRows().length) return;
      e.preventDefault();
      var i = selectedIndex();
      selectRow(i < 0 ? 0 : i + (k === "j" ? 1 : -1));
    } else if (k === "Enter") {
      var row = document.querySelector("table[data-keyboard-grid] tbody tr.selected");
      // Enter on a link or button keeps its own meaning; anywhere else it opens the selected row.
      var own = e.target && e.target.closest && e.target.closest("a[href], button, summary, [role=button]");
      if (row && !own) { e.preventDefault(); window.location.href = row.dataset.href; }
    }
  });

  document.addEventListener("click", function (e) {
    var t = e.target;
    var toggle = t.closest("[data-nav-toggle]");
    if (toggle) { setNav(!document.documentElement.classList.contains("nav-collapsed")); return; }
    if (t.closest("[data-palette-open]")) { openPalette(); return; }
    var opener = t.closest("[data-open-dialog]");
    if (opener) { var d = document.getElementById(opener.dataset.openDialog); if (d) d.showModal(); return; }
    var closer = t.closest("[data-close-dialog]");
    if (closer) { closer.closest("dialog").close(); return; }
    var dlg = palette();
    if (dlg && dlg.open && t === dlg) { dlg.close(); return; } // click on the backdrop
    var row = t.closest("table[data-keyboard-grid] tbody tr[data-href]");
    if (row && !t.closest("a, button, input, select")) {
      var rows = gridRows();
      selectRow(rows.indexOf(row));
      window.location.href = row.dataset.href;
      return;
    }
    // Close open menus when clicking elsewhere.
    document.querySelectorAll("details.user-menu[open], details.filter-menu[open], details.card-move[open]").forEach(function (d) {
      if (!d.contains(t)) d.open = false;
    });
  });

  // --- Charts (Apache ECharts): every bar drills down to the records behind it. ---
  function initCharts(root) {
    if (!window.echarts) return;
    root.querySelectorAll("[data-chart='bar']").forEach(function (el) {
      if (el.dataset.ready) return;
      var source = document.getElementById(el.dataset.source);
      if (!source) return;
      var data = JSON.parse(source.textContent);
      var chart = echarts.init(el, null, { renderer: "svg" });
      var accent = getComputedStyle(document.documentElement).getPropertyValue("--accent").trim() || "#4f46e5";
      var fmt = new Intl.NumberFormat();
      chart.setOption({
        animationDuration: 300,
        textStyle: { fontFamily: getComputedStyle(document.body).fontFamily },
        grid: { left: 44, right: 16, top: 16, bottom: 28 },
        tooltip: {
          trigger: "axis", axisPointer: { type: "shadow" },
          formatter: function (p) { return p[0].name + "<br><b>" + fmt.format(p[0].value) + "</b> " + data.series.toLowerCase() + "<br><span style='color:#656a73'>Click to see them</span>"; }
        },
        legend: { show: false },
        xAxis: { type: "category", data: data.labels, axisTick: { show: false }, axisLine: { lineStyle: { color: "#d4d4da" } }, axisLabel: { color: "#656a73" } },
        yAxis: { type: "value", minInterval: 1, splitLine: { lineStyle: { color: "#efeff2" } }, axisLabel: { color: "#656a73" } },
        series: [{
          name: data.series, type: "bar", data: data.values, barMaxWidth: 36, cursor: "pointer",
          itemStyle: { color: accent, borderRadius: [3, 3, 0, 0] }, emphasis: { itemStyle: { color: "#4338ca" } }
        }]
      });
      chart.on("click", function (p) { if (data.links[p.dataIndex]) window.location.href = data.links[p.dataIndex]; });
      // Clicking anywhere in a month's column (not only on a short bar) drills down too.
      chart.getZr().on("click", function (ev) {
        if (ev.target) return;
        var point = chart.convertFromPixel({ seriesIndex: 0 }, [ev.offsetX, ev.offsetY]);
        var i = point && Math.round(point[0]);
        if (i >= 0 && i < data.links.length) window.location.href = data.links[i];
      });
      window.addEventListener("resize", function () { chart.resize(); });
      el.dataset.ready = "1";
    });

    // Grouped bars, one series per name (forecast against actual per quarter; campaigns under each attribution model).
    // A series with links opens the records behind a bar.
    root.querySelectorAll("[data-chart='bars']").forEach(function (el) {
      if (el.dataset.ready) return;
      var source = document.getElementById(el.dataset.source);
      if (!source) return;
      var data = JSON.parse(source.textContent);
      var chart = echarts.init(el, null, { renderer: "svg" });
      var money = new Intl.NumberFormat(undefined, { minimumFractionDigits: 2, maximumFractionDigits: 2 });
      var compact = new Intl.NumberFormat(undefined, { notation: "compact", maximumFractionDigits: 1 });
      var colors = ["#8b87f0", "#4f46e5", "#2f9e8f", "#e0a030", "#b42318", "#6b7280", "#0e7490"];
      chart.setOption({
        animationDuration: 300,
        textStyle: { fontFamily: getComputedStyle(document.body).fontFamily },
        grid: { left: 56, right: 16, top: 36, bottom: data.rotate ? 80 : 28 },
        legend: { top: 4, left: 48, itemWidth: 12, itemHeight: 10, textStyle: { color: "#4a4d55" } },
        tooltip: {
          trigger: "axis", axisPointer: { type: "shadow" },
          formatter: function (ps) {
            return [ps[0].name].concat(ps.map(function (p) { return p.marker + p.seriesName + ": <b>" + (p.value == null ? "–" : money.format(p.value)) + "</b> " + data.currency; })).join("<br>");
          }
        },
        xAxis: { type: "category", data: data.labels, axisTick: { show: false }, axisLine: { lineStyle: { color: "#d4d4da" } },
          axisLabel: { color: "#656a73", interval: 0, rotate: data.rotate || 0 } },
        yAxis: { type: "value", splitLine: { lineStyle: { color: "#efeff2" } }, axisLabel: { color: "#656a73", formatter: function (v) { return compact.format(v); } } },
        series: data.series.map(function (s, i) {
          return { name: s.name, type: "bar", data: s.values, barMaxWidth: 28, cursor: s.links ? "pointer" : "default", itemStyle: { color: colors[i % colors.length] } };
        })
      });
      chart.on("click", function (p) {
        var links = data.series[p.seriesIndex] && data.series[p.seriesIndex].links;
        if (links && links[p.dataIndex]) window.location.href = links[p.dataIndex];
      });
      window.addEventListener("resize", function () { chart.resize(); });
      el.dataset.ready = "1";
    });

    // MRR movements: stacked bars (new, expansion, reactivation above zero; contraction, churn below) and the MRR line.
    root.querySelectorAll("[data-chart='mrr']").forEach(function (el) {
      if (el.dataset.ready) return;
      var source = document.getElementById(el.dataset.source);
      if (!source) return;
      var data = JSON.parse(source.textContent);
      var chart = echarts.init(el, null, { renderer: "svg" });
      var money = new Intl.NumberFormat(undefined, { minimumFractionDigits: 2, maximumFractionDigits: 2 });
      var compact = new Intl.NumberFormat(undefined, { notation: "compact", maximumFractionDigits: 1 });
      var colors = { "new": "#4f46e5", expansion: "#8b87f0", reactivation: "#2f9e8f", contraction: "#e0a030", churn: "#b42318" };
      var series = data.series.map(function (s) {
        return {
          name: s.name, type: "bar", stack: "movements", data: s.values, barMaxWidth: 40, cursor: "pointer",
          itemStyle: { color: colors[s.key] }, emphasis: { focus: "series" }
        };
      });
      series.push({
        name: data.mrr.name, type: "line", yAxisIndex: 1, data: data.mrr.values, symbol: "circle", symbolSize: 6, cursor: "pointer",
        lineStyle: { color: "#1b1c1f", width: 2 }, itemStyle: { color: "#1b1c1f" }, z: 5
      });
      var axisLabel = { color: "#656a73", formatter: function (v) { return compact.format(v); } };
      chart.setOption({
        animationDuration: 300,
        textStyle: { fontFamily: getComputedStyle(document.body).fontFamily },
        grid: { left: 56, right: 64, top: 40, bottom: 28 },
        legend: { top: 4, left: 48, itemWidth: 12, itemHeight: 10, textStyle: { color: "#4a4d55" } },
        tooltip: {
          trigger: "axis", axisPointer: { type: "shadow" },
          formatter: function (ps) {
            var i = ps[0].dataIndex;
            var lines = [data.months[i]];
            ps.forEach(function (p) {
              lines.push(p.marker + p.seriesName + ": <b>" + money.format(p.value) + "</b> " + data.currency);
            });
            lines.push("<span style='color:#656a73'>Click a bar for its customers</span>");
            return lines.join("<br>");
          }
        },
        xAxis: { type: "category", data: data.labels, axisTick: { show: false }, axisLine: { lineStyle: { color: "#d4d4da" } }, axisLabel: { color: "#656a73" } },
        yAxis: [
          { type: "value", splitLine: { lineStyle: { color: "#efeff2" } }, axisLabel: axisLabel },
          { type: "value", splitLine: { show: false }, axisLabel: axisLabel }
        ],
        series: series
      });
      chart.on("click", function (p) {
        var links = p.seriesIndex < data.series.length ? data.series[p.seriesIndex].links : data.mrr.links;
        if (links && links[p.dataIndex]) window.location.href = links[p.dataIndex];
      });
      window.addEventListener("resize", function () { chart.resize(); });
      el.dataset.ready = "1";
    });

    // Cohort retention heat map: rows = cohorts, columns = months since the start; a cell opens its customers.
    root.querySelectorAll("[data-chart='heatmap']").forEach(function (el) {
      if (el.dataset.ready) return;
      var source = document.getElementById(el.dataset.source);
      if (!source) return;
      var data = JSON.parse(source.textContent);
      var chart = echarts.init(el, null, { renderer: "svg" });
      chart.setOption({
        animation: false,
        textStyle: { fontFamily: getComputedStyle(document.body).fontFamily },
        grid: { left: 76, right: 16, top: 28, bottom: 64 },
        tooltip: {
          formatter: function (p) { return (data.details[p.value[0] + "," + p.value[1]] || "") + "<br><span style='color:#656a73'>Click for the customers</span>"; },
          extraCssText: "max-width: 360px; white-space: normal;"
        },
        xAxis: { type: "category", data: data.months, name: "Months since start", nameLocation: "middle", nameGap: 26, position: "top", splitArea: { show: false },
          axisTick: { show: false }, axisLine: { show: false }, axisLabel: { color: "#656a73" }, nameTextStyle: { color: "#656a73" } },
        yAxis: { type: "category", data: data.cohorts, inverse: true, axisTick: { show: false }, axisLine: { show: false }, axisLabel: { color: "#4a4d55" } },
        visualMap: {
          min: 0, max: data.max, calculable: true, orient: "horizontal", left: "center", bottom: 4, itemHeight: 220, itemWidth: 12,
          textStyle: { color: "#656a73" }, inRange: { color: ["#f4f5ff", "#a5a1f3", "#4338ca"] },
          formatter: function (v) { return Math.round(v) + "%"; }
        },
        series: [{
          type: "heatmap", cursor: "pointer",
          data: data.data.map(function (d) { return { value: d, label: { color: d[2] / data.max > 0.5 ? "#ffffff" : "#1b1c1f" } }; }),
          label: { show: true, fontSize: 11, formatter: function (p) { return p.value[2].toFixed(1) + "%"; } },
          itemStyle: { borderColor: "#fff", borderWidth: 2 },
          emphasis: { itemStyle: { borderColor: "#1b1c1f", borderWidth: 1 } }
        }]
      });
      chart.on("click", function (p) {
        var link = p.value && data.links[p.value[0] + "," + p.value[1]];
        if (link) window.location.href = link;
      });
      window.addEventListener("resize", function () { chart.resize(); });
      el.dataset.ready = "1";
    });

    // Stage funnel (marketing funnel: leads, MQL, SQL, opportunities, won); a stage opens its leads.
    root.querySelectorAll("[data-chart='funnel']").forEach(function (el) {
      if (el.dataset.ready) return;
      var source = document.getElementById(el.dataset.source);
      if (!source) return;
      var data = JSON.parse(source.textContent);
      var chart = echarts.init(el, null, { renderer: "svg" });
      var fmt = new Intl.NumberFormat();
      var colors = ["#c7c5f7", "#a5a1f3", "#8b87f0", "#4f46e5", "#2f9e8f"];
      var first = data.values[0] || 0;
      chart.setOption({
        animationDuration: 300,
        textStyle: { fontFamily: getComputedStyle(document.body).fontFamily },
        tooltip: {
          trigger: "item",
          formatter: function (p) {
            var share = first > 0 ? " (" + (100 * p.value / first).toFixed(1) + "% of leads)" : "";
            return p.name + ": <b>" + fmt.format(p.value) + "</b>" + share + "<br><span style='color:#656a73'>Click to see them</span>";
          }
        },
        series: [{
          type: "funnel", sort: "none", left: "10%", width: "80%", top: 12, bottom: 12, min: 0, max: Math.max(first, 1), minSize: "4%", gap: 2, cursor: "pointer",
          label: { show: true, position: "inside", color: "#1b1c1f", formatter: function (p) { return p.name + "  " + fmt.format(p.value); } },
          itemStyle: { borderColor: "#fff", borderWidth: 1 },
          data: data.labels.map(function (name, i) { return { name: name, value: data.values[i], itemStyle: { color: colors[i % colors.length] }, label: { color: i >= 3 ? "#ffffff" : "#1b1c1f" } }; })
        }]
      });
      chart.on("click", function (p) { if (data.links[p.dataIndex]) window.location.href = data.links[p.dataIndex]; });
      window.addEventListener("resize", function () { chart.resize(); });
      el.dataset.ready = "1";
    });
  }

  function init(root) {
    localizeTimes(root);
    initCharts(root);
    markRisks();
  }

  // --- Risk flags on the board's cards: fetched once per board after it shows (they take longer than the board). ---
  var riskLabels = { stalled: "Stalled", pushedOut: "Pushed out", noActivity: "No activity", amountDropped: "Amount dropped" };
  var risks = null, risksFor = null;
  function markRisks() {
    var board = document.getElementById("board");
    if (!board || !board.dataset.risks) return;
    if (risksFor !== board.dataset.risks) {
      risksFor = board.dataset.risks;
      risks = null;
      fetch(board.dataset.risks, { headers: { Accept: "application/json" } })
        .then(function (r) { return r.ok ? r.json() : null; })
        .then(function (map) { if (map && risksFor === board.dataset.risks) { risks = map; markRisks(); } })
        .catch(function () { /* flags are an extra; the board works without them */ });
      return;
    }
    if (!risks) return;
    document.querySelectorAll("#board .board-card[data-id]").forEach(function (card) {
      var flags = risks[card.dataset.id];
      if (!flags || card.querySelector(".card-risks")) return;
      var box = document.createElement("a");
      box.className = "card-risks";
      box.href = board.dataset.risksPage;
      box.title = "At risk: see the deal risks";
      flags.forEach(function (f) {
        var b = document.createElement("span");
        b.className = "badge risk-" + f;
        b.textContent = riskLabels[f] || f;
        box.appendChild(b);
      });
      card.querySelector(".card-facts").after(box);
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    init(document);
    if (document.documentElement.classList.contains("nav-collapsed")) setNav(true);
  });


  // --- Pipeline board: drag a card (or use its Move menu) to change the stage through the server's rules. ---
  var dragged = null;
  function boardMessage(id, text) {
    var el = document.getElementById(id);
    if (!el) return;
    el.textContent = text;
    el.hidden = !text;
  }
  function refreshBoard() {
    var board = document.getElementById("board");
    if (board && window.htmx) return htmx.ajax("GET", board.dataset.refresh, { target: "#board", swap: "outerHTML" });
    window.location.reload();
  }
  function moveCard(card, column, reason) {
    var stageId = column.dataset.stageId;
    if (!card || card.dataset.stage === stageId) return;
    var origin = card.parentNode, next = card.nextSibling;
    var list = column.querySelector(".cards");
    if (list) list.insertBefore(card, list.firstChild); else card.hidden = true;
    boardMessage("board-error", "");
    boardMessage("board-status", "");
    var meta = document.querySelector("meta[name='csrf-token']");
    var body = new URLSearchParams({ stageId: stageId, version: card.dataset.version || "", lostReason: reason || "" });
    fetch("/ui/opportunities/" + card.dataset.id + "/stage", {
      method: "POST", credentials: "same-origin", body: body,
      headers: { "X-CSRF-TOKEN": meta ? meta.content : "", "Content-Type": "application/x-www-form-urlencoded" }
    }).then(function (r) {
      return r.json().catch(function () { return { message: "The server did not answer (" + r.status + ")." }; }).then(function (j) { return { status: r.status, body: j }; });
    }).then(function (res) {
      if (res.status === 200) {
        var done = refreshBoard();
        var text = "Moved “" + card.dataset.name + "” to " + res.body.stage + ".";
        if (done && done.then) done.then(function () { boardMessage("board-status", text); }); else boardMessage("board-status", text);
        return;
      }
      // Refused: the card snaps back to where it was.
      card.hidden = false;
      origin.insertBefore(card, next);
      if (res.body.field === "lostReason" && !reason) { askLostReason(card, column); return; }
      boardMessage("board-error", res.body.message || "The deal was not moved.");
      if (res.status === 409) refreshBoard();
    }).catch(function () {
      card.hidden = false;
      origin.insertBefore(card, next);
      boardMessage("board-error", "The deal was not moved: the server could not be reached.");
    });
  }
  function askLostReason(card, column) {
    var dlg = document.getElementById("lost-dialog");
    if (!dlg) return;
    var input = document.getElementById("lost-reason");
    input.value = "";
    document.getElementById("lost-deal").textContent = "“" + card.dataset.name + "” moves to " + column.dataset.stageName + ". A lost deal needs its reason.";
    dlg.returnValue = "";
    dlg.onclose = function () {
      if (dlg.returnValue === "lost" && input.value.trim()) moveCard(card, column, input.value.trim());
      else boardMessage("board-error", "“" + card.dataset.name + "” was not moved: a lost deal needs a lost reason.");
    };
    dlg.showModal();
    input.focus();
  }
  document.addEventListener("dragstart", function (e) {
    var card = e.target.closest && e.target.closest(".board-card");
    if (!card) return;
    dragged = card;
    card.classList.add("dragging");
    e.dataTransfer.effectAllowed = "move";
    e.dataTransfer.setData("text/plain", card.dataset.id);
  });
  document.addEventListener("dragend", function () {
    if (dragged) dragged.classList.remove("dragging");
    document.querySelectorAll(".board-col.drop-target").forEach(function (c) { c.classList.remove("drop-target"); });
  });
  document.addEventListener("dragover", function (e) {
    var col = dragged && e.target.closest && e.target.closest(".board-col");
    if (!col) return;
    e.preventDefault();
    e.dataTransfer.dropEffect = "move";
    document.querySelectorAll(".board-col.drop-target").forEach(function (c) { if (c !== col) c.classList.remove("drop-target"); });
    col.classList.add("drop-target");
  });
  document.addEventListener("drop", function (e) {
    var col = dragged && e.target.closest && e.target.closest(".board-col");
    if (!col) return;
    e.preventDefault();
    col.classList.remove("drop-target");
    var card = dragged;
    dragged = null;
    moveCard(card, col, null);
  });
  document.addEventListener("click", function (e) {
    var btn = e.target.closest && e.target.closest("[data-move-to]");
    if (!btn) return;
    var card = btn.closest(".board-card");
    var col = document.querySelector(".board-col[data-stage-id='" + btn.dataset.moveTo + "']");
    var menu = btn.closest("details");
    if (menu) menu.open = false;
    if (card && col) moveCard(card, col, null);
  });

  // --- htmx: antiforgery header on writes, re-initialise swapped content, keep the filter box in step. ---
  document.addEventListener("htmx:configRequest", function (e) {
    if (e.detail.verb !== "get") {
      var meta = document.querySelector("meta[name='csrf-token']");
      if (meta) e.detail.headers["X-CSRF-TOKEN"] = meta.content;
    }
  });
  // The filter menu stays open while filters are picked one after another (the grid around it is swapped).
  var reopenFilter = null;
  document.addEventListener("htmx:beforeSwap", function (e) {
    var open = document.querySelector("#grid details.filter-menu[open]");
    reopenFilter = open ? (document.activeElement && document.activeElement.id) || "" : null;
  });
  document.addEventListener("htmx:afterSwap", function (e) {
    if (reopenFilter !== null) {
      var menu = document.querySelector("#grid details.filter-menu");
      if (menu) {
        menu.open = true;
        var again = reopenFilter && document.getElementById(reopenFilter);
        if (again && menu.contains(again)) again.focus();
      }
      reopenFilter = null;
    }
    init(e.detail.elt.parentNode || document);
    var grid = document.getElementById("grid");
    var q = document.getElementById("list-q");
    if (grid && q && document.activeElement !== q) q.value = grid.dataset.q || "";
  });
  document.addEventListener("htmx:afterSettle", function (e) {
    if (e.detail.elt && e.detail.elt.id === "palette-results") movePalette(0);
  });
  document.addEventListener("htmx:responseError", function (e) {
    var xhr = e.detail.xhr;
    if (xhr && xhr.status >= 400 && xhr.status < 500 && e.detail.target) {
      e.detail.target.outerHTML = xhr.responseText; // fragments carry their own explanation (bad filter, gone record)
    }
  });
})();
