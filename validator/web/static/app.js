/* xxgk-lint local page.  Plain JS, no build step, no external resource.
 * Every piece of report text goes into the DOM through textContent (never innerHTML),
 * so a report containing <script> is shown as text. */
"use strict";

(function () {
  var SEV_ORDER = ["error", "warning", "info"];
  var SEV_ZH = { error: "错误", warning: "警告", info: "提示" };
  var state = { view: null, doc: null, printHtml: null, byId: {}, selected: null, hidden: {} };

  function $(id) { return document.getElementById(id); }

  /* el("div", {className: "x", dataset: {a: 1}, attrs: {title: "…"}, text: "…"}, [children]) */
  function el(tag, props, children) {
    var node = document.createElement(tag);
    props = props || {};
    if (props.className) node.className = props.className;
    if (props.id) node.id = props.id;
    if (props.text !== undefined && props.text !== null) node.textContent = String(props.text);
    if (props.dataset) Object.keys(props.dataset).forEach(function (k) { node.dataset[k] = String(props.dataset[k]); });
    if (props.attrs) Object.keys(props.attrs).forEach(function (k) { node.setAttribute(k, String(props.attrs[k])); });
    if (props.onclick) node.addEventListener("click", props.onclick);
    (children || []).forEach(function (c) {
      if (c === null || c === undefined) return;
      node.appendChild(typeof c === "string" ? document.createTextNode(c) : c);
    });
    return node;
  }

  function clear(node) { while (node.firstChild) node.removeChild(node.firstChild); }

  function meta(name) {
    var m = document.querySelector('meta[name="' + name + '"]');
    return m ? m.getAttribute("content") : "";
  }

  function setStatus(text, kind) {
    var s = $("status");
    s.textContent = text || "";
    s.className = "status" + (kind ? " " + kind : "");
  }

  /* ---------------------------------------------------------------- input form */
  var activeTab = "upload";

  function showTab(name) {
    activeTab = name;
    ["upload", "paste"].forEach(function (t) {
      $("tab-" + t).hidden = t !== name;
      var b = $("tab-btn-" + t);
      b.classList.toggle("active", t === name);
      b.setAttribute("aria-selected", t === name ? "true" : "false");
    });
  }

  function fileChosen() {
    var f = $("file").files[0];
    $("drop-label").textContent = f ? "已选择：" + f.name + "（" + sizeText(f.size) + "）" : "点击选择文件，或把文件拖到这里";
    $("drop").classList.toggle("has-file", !!f);
  }

  function sizeText(n) {
    if (n >= 1048576) return (n / 1048576).toFixed(1) + " MB";
    if (n >= 1024) return Math.round(n / 1024) + " KB";
    return n + " 字节";
  }

  function submit(ev) {
    ev.preventDefault();
    var form = $("check-form");
    var fd = new FormData(form);
    var maxUpload = parseInt(meta("max-upload"), 10) || 0;
    if (activeTab === "upload") {
      fd.delete("text");
      var f = $("file").files[0];
      if (!f) { setStatus("请先选择要检查的文件，或切换到“粘贴文本”。", "error"); return; }
      if (maxUpload && f.size > maxUpload) { setStatus("文件太大：最多接受 " + meta("max-upload-text") + " 的文件。", "error"); return; }
    } else {
      fd.delete("file");
      if (!$("text").value.trim()) { setStatus("请先在文本框中粘贴报告内容。", "error"); return; }
    }
    var btn = $("submit");
    btn.disabled = true;
    var started = performance.now();
    setStatus("正在检查，请稍候……", "busy");
    fetch("/api/check", { method: "POST", body: fd, credentials: "same-origin" })
      .then(function (resp) {
        return resp.json().catch(function () { return { ok: false, error: "服务器返回了无法识别的结果（HTTP " + resp.status + "）。" }; });
      })
      .then(function (data) {
        if (!data.ok) { setStatus(data.error || "检查失败。", "error"); return; }
        var secs = ((performance.now() - started) / 1000).toFixed(1);
        try {
          render(data);
        } catch (e) {
          if (window.console) console.error(e);
          setStatus("检查已完成，但页面显示结果时出错：" + e + "。可先下载检查结果（JSON）。", "error");
          return;
        }
        var s = data.view.summary;
        setStatus("检查完成（用时 " + secs + " 秒）：错误 " + s.error + " 个，警告 " + s.warning + " 个，提示 " + s.info + " 个。", s.error ? "done-bad" : "done-ok");
      }, function (e) {
        if (window.console) console.error(e);
        setStatus("无法连接检查服务。请确认 xxgk-lint serve 仍在运行。", "error");
      })
      .then(function () { btn.disabled = false; });
  }

  /* ---------------------------------------------------------------- rendering */
  function render(data) {
    var view = data.view;
    state.view = view;
    state.doc = data.document;
    state.printHtml = data.print_html;
    state.printPage = data.print_page;
    state.byId = {};
    state.selected = null;
    view.findings.forEach(function (f) { state.byId[f.id] = f; });
    renderFileInfo(view);
    renderDoc(view);
    renderSide(view);
    renderPrevious(view);
    $("result").hidden = false;
    document.body.classList.add("has-result");
    $("result").scrollIntoView({ block: "start", behavior: "smooth" });
  }

  function renderFileInfo(view) {
    var f = view.file, box = $("file-info");
    clear(box);
    box.appendChild(el("h2", { text: f.name }));
    var items = [
      ["文件格式", f.format_zh || f.format || "—"],
      ["报告年度", f.year ? f.year + "年" : "未能识别"],
      ["发布机关", f.issuer || "未能识别"],
      ["适用格式", f.template_zh + (f.template_reason ? "（" + f.template_reason + "）" : "")],
      ["检查时间", f.checked_at]
    ];
    var dl = el("dl", { className: "facts" });
    items.forEach(function (it) { dl.appendChild(el("dt", { text: it[0] })); dl.appendChild(el("dd", { text: it[1] })); });
    box.appendChild(dl);
  }

  function findingsAt(targetIds) {
    var out = [];
    state.view.findings.forEach(function (f) { if (targetIds[f.target]) out.push(f); });
    return out;
  }

  function renderDoc(view) {
    var doc = $("doc");
    clear(doc);
    var tables = {};
    view.tables.forEach(function (t) { tables[t.id] = t; });
    // which findings are anchored on which block (for callouts under lines and tables)
    var byTarget = {};
    view.findings.forEach(function (f) { (byTarget[f.target] = byTarget[f.target] || []).push(f); });
    var legend = el("div", { className: "page-legend" });
    [["sw-error", "出错的单元格"], ["sw-involved", "参与出错等式的单元格"], ["sw-warning", "有警告的单元格"],
     ["sw-lhs", "选中问题后：等式左边"], ["sw-rhs", "等式右边"]].forEach(function (x) {
      legend.appendChild(el("span", {}, [el("span", { className: "sw " + x[0] }), x[1]]));
    });
    legend.appendChild(el("span", { text: "点击右侧问题或表中标出的单元格即可定位" }));
    doc.appendChild(legend);
    if (byTarget["doc-top"]) {   // findings without a place in the text (e.g. about the whole file)
      var top = callouts(byTarget["doc-top"]);
      top.id = "doc-top";
      doc.appendChild(top);
    }
    view.blocks.forEach(function (b) {
      if (b.type === "page") {
        doc.appendChild(el("div", { className: "page-break", text: "第 " + b.page + " 页" }));
      } else if (b.type === "table") {
        doc.appendChild(renderTable(tables[b.table], b.raw, byTarget));
      } else {
        doc.appendChild(renderLine(b));
        if (byTarget[b.id]) doc.appendChild(callouts(byTarget[b.id]));
      }
    });
  }

  function renderLine(b, raw) {
    var cls = "line line-" + b.type;
    var text = el("span", { className: "line-text" });
    b.segments.forEach(function (s) {
      if (s.findings.length) {
        text.appendChild(el("mark", {
          className: "hl sev-" + (s.severity || "info"),
          dataset: { findings: s.findings.join(" ") },
          text: s.text,
          onclick: function () { select(s.findings[0], "doc"); }
        }));
      } else {
        text.appendChild(document.createTextNode(s.text));
      }
    });
    if (!b.segments.length) text.appendChild(document.createTextNode("\u00a0"));
    var worst = null;
    b.marks.forEach(function (fid) {
      var f = state.byId[fid];
      if (f && (worst === null || SEV_ORDER.indexOf(f.severity) < SEV_ORDER.indexOf(worst))) worst = f.severity;
    });
    if (worst) cls += " marked sev-" + worst;
    var tag = b.type === "heading" ? "h3" : (b.type === "title" ? "h2" : "div");
    // the line number where a line starts; a paragraph cut out of a longer line (page text
    // published as one line) shows it on hover only
    var startsLine = b.line_start !== false;
    var node = el(tag, { className: cls, id: (raw ? "raw-" : "") + b.id, dataset: { line: b.line, findings: b.marks.join(" ") } }, [
      el("span", { className: "gutter", text: startsLine ? b.line : "", attrs: { "aria-hidden": "true" } }),
      text
    ]);
    if (!startsLine) node.setAttribute("title", "第" + b.line + "行第" + b.column + "列起");
    return node;
  }

  function cellMarks(id) { return (state.view.cell_marks || {})[id] || []; }

  function worstOf(marks, roles) {
    var w = null;
    marks.forEach(function (m) {
      if (roles.indexOf(m.role) < 0) return;
      if (w === null || SEV_ORDER.indexOf(m.severity) < SEV_ORDER.indexOf(w)) w = m.severity;
    });
    return w;
  }

  function decorateCell(td, id) {
    var marks = cellMarks(id);
    if (!marks.length) return;
    var anchorSev = worstOf(marks, ["anchor"]);
    var involved = worstOf(marks, ["lhs", "rhs", "related"]);
    if (anchorSev) td.classList.add("mark-" + anchorSev);
    if (involved === "error" && !anchorSev) td.classList.add("involved-error");
    var rules = [], titles = [];
    marks.forEach(function (m) {
      var f = state.byId[m.finding];
      if (!f) return;
      if (rules.indexOf(f.rule) < 0) rules.push(f.rule);
      titles.push("【" + f.severity_zh + " " + f.rule + "】" + (m.role === "anchor" ? "" : (m.role === "lhs" ? "（等式左边）" : m.role === "rhs" ? "（等式右边）" : "（相关）")) + f.message);
    });
    td.dataset.rules = rules.join(" ");
    td.dataset.findings = marks.map(function (m) { return m.finding; }).join(" ");
    td.setAttribute("title", titles.join("\n"));
    td.classList.add("clickable");
    td.addEventListener("click", function () {
      var best = marks.slice().sort(function (a, b) {
        var ra = a.role === "anchor" ? 0 : 1, rb = b.role === "anchor" ? 0 : 1;
        return (SEV_ORDER.indexOf(a.severity) - SEV_ORDER.indexOf(b.severity)) || (ra - rb);
      })[0];
      select(best.finding, "doc");
    });
  }

  function headerRows(cols) {
    // columns named "组·列" get a two-level header (表四)
    var twoLevel = cols.some(function (c) { return c.label.indexOf("·") >= 0; });
    if (!twoLevel) {
      return [el("tr", {}, [el("th", { className: "corner", text: "" })].concat(cols.map(function (c) {
        return el("th", { text: c.label, dataset: { col: c.key } });
      })))];
    }
    var top = el("tr", {}, [el("th", { className: "corner", attrs: { rowspan: 2 } })]);
    var bottom = el("tr");
    var i = 0;
    while (i < cols.length) {
      var parts = cols[i].label.split("·");
      var group = parts.length > 1 ? parts[0] : "";
      var j = i;
      while (j < cols.length && group && cols[j].label.split("·")[0] === group) j++;
      if (!group) {
        top.appendChild(el("th", { text: cols[i].label, attrs: { rowspan: 2 }, dataset: { col: cols[i].key } }));
        i++;
        continue;
      }
      top.appendChild(el("th", { text: group, attrs: { colspan: j - i } }));
      for (var k = i; k < j; k++) bottom.appendChild(el("th", { text: cols[k].label.split("·").slice(1).join("·"), dataset: { col: cols[k].key } }));
      i = j;
    }
    return [top, bottom];
  }

  /* last year's report (issue 14): its tables, with the cells the cross-year findings name */
  function renderPrevious(view) {
    var box = $("previous-report");
    clear(box);
    var p = view.previous;
    box.hidden = !p;
    if (!p) return;
    var facts = [p.year ? p.year + "年度" : "年度未能识别", p.issuer, p.format_zh].filter(Boolean).join("，");
    box.appendChild(el("h2", { className: "prev-title", text: "上一年度报告：" + p.name + "（" + facts + "）" }));
    var ul = el("ul", { className: "prev-checked" });
    (p.checked || []).forEach(function (c) {
      ul.appendChild(el("li", { className: c.holds === c.count ? "ok" : "bad",
        text: c.what + "：核对" + c.count + "项，" + (c.holds === c.count ? "全部一致" : (c.count - c.holds) + "项不一致") }));
    });
    if (!(p.checked || []).length) ul.appendChild(el("li", { text: "没有可以逐格核对的数据（见问题清单中的说明）。" }));
    box.appendChild(ul);
    p.tables.forEach(function (t) {
      box.appendChild(renderTable(t, [], {}, "本年度报告中有 %n 条问题涉及上一年度报告的这张表："));
    });
  }

  function renderTable(t, raw, byTarget, elsewhereText) {
    var fig = el("figure", { className: "table-block", id: "table-" + t.id, dataset: { table: t.key } });
    fig.appendChild(el("figcaption", {}, [el("span", { className: "tkey", text: t.key }), " " + t.name]));
    var targets = {};
    t.grids.forEach(function (g) {
      var wrap = el("div", { className: "grid-wrap" });
      var table = el("table", { className: "grid" });
      var thead = el("thead");
      if (g.caption) thead.appendChild(el("tr", {}, [el("th", { className: "block-caption", text: g.caption, attrs: { colspan: g.columns.length + 1 } })]));
      headerRows(g.columns).forEach(function (r) { thead.appendChild(r); });
      table.appendChild(thead);
      var tbody = el("tbody");
      g.rows.forEach(function (r) {
        var tr = el("tr", { id: r.id, className: (r.group ? "group-row" : "") + (r.present ? "" : " row-missing"), dataset: { row: r.key } });
        var th = el("th", { className: "row-label depth-" + Math.min(r.depth, 3) + (r.labelled === false ? " nolabel" : ""), id: r.id + "-h", attrs: { scope: "row" } }, [r.label]);
        if (!r.present && !r.group) th.appendChild(el("span", { className: "missing-tag", text: "报告中没有此行" }));
        if (r.unreadable) th.appendChild(el("span", { className: "missing-tag", text: "本行数字无法逐格读出", attrs: { title: "原文：" + ((r.cells[0] && r.cells[0].raw) || "") } }));
        decorateCell(th, r.id + "-h");
        targets[r.id + "-h"] = true;
        tr.appendChild(th);
        r.cells.forEach(function (c) {
          var td = el("td", { className: "cell kind-" + c.kind, id: c.id, dataset: { col: c.column, row: r.key } });
          if (c.kind === "blank") td.appendChild(el("span", { className: "placeholder", text: "空" }));
          else if (c.kind === "missing") td.appendChild(el("span", { className: "placeholder", text: "缺" }));
          else if (c.kind === "unreadable") td.appendChild(el("span", { className: "unreadable", text: "？", attrs: { title: "原文：" + c.raw } }));
          else td.appendChild(el("span", { className: "v", text: c.raw }));
          if (c.note) td.setAttribute("title", c.note);
          decorateCell(td, c.id);
          targets[c.id] = true;
          tr.appendChild(td);
        });
        tbody.appendChild(tr);
      });
      table.appendChild(tbody);
      wrap.appendChild(table);
      fig.appendChild(wrap);
    });
    (raw || []).forEach(function (b) { targets[b.id] = true; });
    targets["table-" + t.id] = true;
    var list = findingsAt(targets);
    // findings placed elsewhere (e.g. the text) that concern cells of this table
    var elsewhere = state.view.findings.filter(function (f) {
      return !targets[f.target] && (f.related || []).some(function (r) { return targets[r.id]; });
    });
    if (list.length) fig.appendChild(callouts(list));
    else if (!elsewhere.length) fig.appendChild(el("p", { className: "table-ok", text: "本表未发现问题。" }));
    if (elsewhere.length) {
      var p = el("p", { className: "elsewhere", text: elsewhereText ? elsewhereText.replace("%n", elsewhere.length)
        : "正文中另有 " + elsewhere.length + " 条问题涉及本表数据：" });
      elsewhere.forEach(function (f) {
        p.appendChild(el("button", { className: "link sev-" + f.severity, attrs: { type: "button" }, dataset: { finding: f.id },
          text: f.severity_zh + " " + f.rule + "（" + (f.where || f.section || "") + "）", onclick: function () { select(f.id, "table"); } }));
      });
      fig.appendChild(p);
    }
    if (raw && raw.length) {
      var first = raw[0].line, last = raw[raw.length - 1].line;
      var where = first === last ? "第 " + first + " 行第 " + raw[0].column + " 列起" : "第 " + first + "–" + last + " 行";
      var det = el("details", { className: "raw" }, [el("summary", { text: "查看本表原文（" + where + "）" })]);
      raw.forEach(function (b) { det.appendChild(renderLine(b, true)); });
      fig.appendChild(det);
    }
    return fig;
  }

  function numbersLine(f) {
    if (!f.numbers || !f.numbers.length) return null;
    var p = el("div", { className: "numbers" });
    f.numbers.forEach(function (n) {
      p.appendChild(el("span", { className: "num num-" + n.key }, [el("b", { text: n.label }), " " + n.value]));
    });
    return p;
  }

  function callouts(list) {
    var box = el("div", { className: "callouts" });
    // errors always shown; a long run of warnings/notes folds away (opened when one is selected)
    var main = list.filter(function (f) { return f.severity === "error"; });
    var rest = list.filter(function (f) { return f.severity !== "error"; });
    if (rest.length <= 3) { main = list; rest = []; }
    main.forEach(function (f) { box.appendChild(callout(f)); });
    if (rest.length) {
      var counts = {};
      rest.forEach(function (f) { counts[f.severity_zh] = (counts[f.severity_zh] || 0) + 1; });
      var label = Object.keys(counts).map(function (k) { return counts[k] + " 条" + k; }).join("、");
      var det = el("details", { className: "more-callouts" }, [el("summary", { text: "另有 " + label + "（点击展开）" })]);
      rest.forEach(function (f) { det.appendChild(callout(f)); });
      box.appendChild(det);
    }
    return box;
  }

  function callout(f) {
    var c = el("div", { className: "callout sev-" + f.severity, id: "co-" + f.id, dataset: { finding: f.id, rule: f.rule } });
    c.appendChild(el("div", { className: "co-head" }, [
      el("span", { className: "badge sev-" + f.severity, text: f.severity_zh }),
      el("span", { className: "rule", text: f.rule }),
      el("span", { className: "cat", text: f.category_zh }),
      el("span", { className: "where", text: [f.place, f.where].filter(Boolean).join(" · ") })
    ]));
    c.appendChild(el("div", { className: "msg", text: f.message }));
    var nl = numbersLine(f);
    if (nl) c.appendChild(nl);
    if (f.related && f.related.some(function (r) { return r.role === "lhs" || r.role === "rhs"; })) {
      c.appendChild(el("div", { className: "legend" }, [
        el("span", { className: "key-lhs", text: "黄色" }), "为等式左边的单元格，",
        el("span", { className: "key-rhs", text: "蓝色" }), "为等式右边的单元格（选中本条时显示）"
      ]));
    }
    (f.elsewhere || []).forEach(function (r) {   // places in last year's report
      var line = el("div", { className: "elsewhere-place" }, [el("b", { text: "上一年度报告：" }), r.label + "（" + r.where + "）"]);
      if (r.id) {
        line.appendChild(el("button", { className: "link", attrs: { type: "button" }, text: "查看", onclick: function (ev) {
          ev.stopPropagation();
          select(f.id, "callout");
          var n = $(r.id);
          if (n) { openParents(n); n.scrollIntoView({ block: "center", behavior: "smooth" }); }
        } }));
      }
      c.appendChild(line);
    });
    if (f.suggestion) c.appendChild(el("div", { className: "sugg" }, [el("b", { text: "建议：" }), f.suggestion]));
    if (f.basis) c.appendChild(el("div", { className: "basis" }, [el("b", { text: "依据：" }), f.basis]));
    c.addEventListener("click", function () { select(f.id, "callout"); });
    return c;
  }

  function renderSide(view) {
    var sum = $("summary"), filters = $("filters"), list = $("finding-list");
    clear(sum); clear(filters); clear(list);
    var s = view.summary;
    if (!s.total) {
      sum.appendChild(el("p", { className: "all-ok", text: "未发现问题。" }));
    }
    SEV_ORDER.forEach(function (sev) {
      sum.appendChild(el("span", { className: "chip sev-" + sev }, [SEV_ZH[sev] + " ", el("b", { text: s[sev] })]));
      var cb = el("input", { attrs: { type: "checkbox" }, id: "flt-" + sev });
      cb.checked = !state.hidden[sev];
      cb.addEventListener("change", function () { state.hidden[sev] = !cb.checked; applyFilter(); });
      filters.appendChild(el("label", { className: "flt" }, [cb, " 显示" + SEV_ZH[sev]]));
    });
    SEV_ORDER.forEach(function (sev) {
      var items = view.findings.filter(function (f) { return f.severity === sev; });
      if (!items.length) return;
      var group = el("section", { className: "fgroup fgroup-" + sev, dataset: { severity: sev } });
      group.appendChild(el("h3", { text: SEV_ZH[sev] + "（" + items.length + "）" }));
      var ul = el("ol", { className: "flist" });
      items.forEach(function (f) {
        var li = el("li", {}, [el("button", {
          className: "fitem sev-" + f.severity, id: "fi-" + f.id, attrs: { type: "button" },
          dataset: { finding: f.id, rule: f.rule },
          onclick: function () { select(f.id, "side"); }
        }, [
          el("span", { className: "fi-head" }, [el("span", { className: "rule", text: f.rule }), el("span", { className: "where", text: f.place || f.section || f.where })]),
          el("span", { className: "fi-msg", text: f.message })
        ])]);
        ul.appendChild(li);
      });
      group.appendChild(ul);
      list.appendChild(group);
    });
    applyFilter();
  }

  function applyFilter() {
    SEV_ORDER.forEach(function (sev) {
      document.body.classList.toggle("hide-" + sev, !!state.hidden[sev]);
    });
  }

  /* ---------------------------------------------------------------- selection */
  function clearSelection() {
    document.querySelectorAll(".sel-anchor, .sel-lhs, .sel-rhs, .sel-related, .sel-row, .selected").forEach(function (n) {
      n.classList.remove("sel-anchor", "sel-lhs", "sel-rhs", "sel-related", "sel-row", "selected");
    });
  }

  function openParents(node) {
    var p = node.parentElement;
    while (p) { if (p.tagName === "DETAILS") p.open = true; p = p.parentElement; }
  }

  function select(fid, from) {
    var f = state.byId[fid];
    if (!f) return;
    clearSelection();
    state.selected = fid;
    var target = $(f.target) || $("raw-" + f.target);
    if (target) {
      target.classList.add("sel-anchor");
      if (f.anchor_side) target.classList.add("sel-" + f.anchor_side);
      // a finding about a whole row (e.g. its blank cells): the row is marked
      if (f.row && !f.column && target.parentElement && target.parentElement.tagName === "TR") target.parentElement.classList.add("sel-row");
      openParents(target);
    }
    (f.related || []).forEach(function (r) {
      var n = $(r.id) || $("raw-" + r.id);
      if (n) n.classList.add("sel-" + (r.role === "lhs" || r.role === "rhs" ? r.role : "related"));
    });
    var co = $("co-" + fid);
    if (co) { co.classList.add("selected"); openParents(co); }
    var item = $("fi-" + fid);
    if (item) item.classList.add("selected");
    if (from !== "doc" && target) target.scrollIntoView({ block: "center", inline: "center", behavior: "smooth" });
    if (from !== "side" && item) item.scrollIntoView({ block: "nearest", behavior: "smooth" });
    if (target) {
      target.classList.remove("flash");
      void target.offsetWidth;
      target.classList.add("flash");
    }
    document.body.dataset.selected = fid;
  }

  /* ---------------------------------------------------------------- downloads */
  function download(name, type, content) {
    var blob = new Blob([content], { type: type });
    var url = URL.createObjectURL(blob);
    var a = el("a", { attrs: { href: url, download: name } });
    document.body.appendChild(a);
    a.click();
    setTimeout(function () { URL.revokeObjectURL(url); a.remove(); }, 1000);
  }

  /* The record opened in a new window inherits this page's Content-Security-Policy
   * (style-src 'self'), which blocks inline styles: the server sends it with its stylesheet
   * linked from ORIGIN/static/print.css; ORIGIN (in the head only) becomes this page's origin.
   * The downloaded record keeps the stylesheet inline and works offline. */
  function linkedRecord(html) {
    var cut = html.indexOf("</head>");
    return html.slice(0, cut).split("__XXGK_ORIGIN__").join(window.location.origin) + html.slice(cut);
  }

  function baseName() {
    var n = (state.view && state.view.file.name) || "报告";
    return n.replace(/\.[^.]+$/, "");
  }

  function init() {
    $("check-form").addEventListener("submit", submit);
    $("tab-btn-upload").addEventListener("click", function () { showTab("upload"); });
    $("tab-btn-paste").addEventListener("click", function () { showTab("paste"); });
    $("file").addEventListener("change", fileChosen);
    var drop = $("drop");
    ["dragenter", "dragover"].forEach(function (e) { drop.addEventListener(e, function (ev) { ev.preventDefault(); drop.classList.add("drag"); }); });
    ["dragleave", "drop"].forEach(function (e) { drop.addEventListener(e, function () { drop.classList.remove("drag"); }); });
    drop.addEventListener("drop", function (ev) {
      ev.preventDefault();
      if (ev.dataTransfer && ev.dataTransfer.files.length) { $("file").files = ev.dataTransfer.files; fileChosen(); }
    });
    $("dl-json").addEventListener("click", function () {
      if (state.doc) download(baseName() + "-检查结果.json", "application/json;charset=utf-8", JSON.stringify(state.doc, null, 2));
    });
    $("dl-print").addEventListener("click", function () {
      if (state.printHtml) download(baseName() + "-审核留档.html", "text/html;charset=utf-8", state.printHtml);
    });
    $("open-print").addEventListener("click", function () {
      if (!state.printPage) return;
      var url = URL.createObjectURL(new Blob([linkedRecord(state.printPage)], { type: "text/html;charset=utf-8" }));
      var w = window.open(url, "_blank");
      if (!w) setStatus("浏览器阻止了新窗口，请改用“下载审核留档”。", "error");
      setTimeout(function () { URL.revokeObjectURL(url); }, 60000);
    });
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", init);
  else init();
})();
