"use strict";
(function () {
  // Article text is untrusted: it only ever reaches the page through textContent.
  const data = JSON.parse(document.getElementById("scan-data").textContent);
  const PAGE = 25;
  // members a story graph draws at most (the original first)
  const GRAPH_MAX = 60;
  // edges a story card lists at most (those with a direction first)
  const EDGE_LIST_MAX = 40;
  // members a story card lists at most, in order of publication
  const TIMELINE_MAX = 100;
  const articles = new Map(data.articles.map((a) => [a.id, a]));
  const pairsOf = new Map();
  data.pairs.forEach((p, i) => {
    for (const id of [p.source, p.target]) {
      if (!pairsOf.has(id)) pairsOf.set(id, []);
      pairsOf.get(id).push(i);
    }
  });
  const pairIndex = new Map(data.pairs.map((p, i) => [p.source + "\u0000" + p.target, i]));
  const COLOURS = { duplicate: "#0072B2", copy: "#D55E00", partial_copy: "#E69F00",
    paraphrase: "#CC79A7", spun_copy: "#009E73", same_story: "#999999" };
  // An arrow says who copied whom: two reports of one story copied nothing, whatever their dates.
  const copied = (relation, direction) =>
    direction === "source_to_target" && relation !== "same_story";

  function el(tag, attrs, ...children) {
    const node = document.createElement(tag);
    for (const [key, value] of Object.entries(attrs || {})) {
      if (value === null || value === undefined || value === false) continue;
      if (key === "text") node.textContent = value;
      else if (key === "className") node.className = value;
      else node.setAttribute(key, value === true ? "" : String(value));
    }
    for (const child of children) {
      if (child === null || child === undefined) continue;
      node.append(typeof child === "string" ? document.createTextNode(child) : child);
    }
    return node;
  }
  function svg(tag, attrs) {
    const node = document.createElementNS("http://www.w3.org/2000/svg", tag);
    for (const [key, value] of Object.entries(attrs || {})) node.setAttribute(key, String(value));
    return node;
  }
  // Served pages link to other pages; a saved report links within itself.
  function href(hash) {
    if (!data.pages) return "#" + hash;
    const [kind, value] = hash.split(/=(.*)/s);
    if (kind === "pair") {
      const p = data.pairs[Number(value)];
      return "/ui/pair/" + encodeURIComponent(p.source) + "/" + encodeURIComponent(p.target);
    }
    return "/ui/" + kind + "/" + encodeURIComponent(value);
  }
  function link(text, hash) { return el("a", { href: href(hash), text: text }); }
  function safeUrl(url) {
    return typeof url === "string" && /^https?:\/\//i.test(url) ? url : null;
  }
  function pct(x) { return Math.round((x || 0) * 100) + " %"; }
  function name(id) {
    const a = articles.get(id);
    return a && a.title ? id + " (" + a.title + ")" : id;
  }

  // --- paginated lists ---------------------------------------------------------------------
  function paginate(container, items, renderItem, label) {
    let page = 0;
    const pages = Math.max(1, Math.ceil(items.length / PAGE));
    const body = el("div");
    const status = el("span", { "aria-live": "polite" });
    const prev = el("button", { type: "button", text: "Previous" });
    const next = el("button", { type: "button", text: "Next" });
    function show() {
      body.replaceChildren();
      items.slice(page * PAGE, (page + 1) * PAGE).forEach((item) => body.append(renderItem(item)));
      status.textContent = label + ": page " + (page + 1) + " of " + pages + " (" + items.length + ")";
      prev.disabled = page === 0;
      next.disabled = page >= pages - 1;
    }
    prev.addEventListener("click", () => { page -= 1; show(); });
    next.addEventListener("click", () => { page += 1; show(); });
    container.replaceChildren(el("div", { className: "pager" }, prev, next, status), body);
    if (!items.length) body.append(el("p", { text: "None." }));
    show();
  }

  // --- stories -------------------------------------------------------------------------------
  function storyGraph(story) {
    // A story syndicated to thousands of outlets cannot be drawn member by member: its original
    // and the first others are, and the title says how many.
    const others = story.articles.filter((id) => id !== story.original);
    const drawn = (story.original ? [story.original] : []).concat(others).slice(0, GRAPH_MAX);
    const ids = story.articles.filter((id) => drawn.includes(id));
    // Members on a circle that grows with them (about 26 px of it each); past a dozen, labels
    // run outwards along the radius so that neighbours do not overlap.
    const radial = ids.length > 12;
    const r = ids.length > 1 ? Math.max(110, (ids.length * 26) / (2 * Math.PI)) : 0;
    const margin = radial ? 160 : 70, size = Math.round(2 * (r + margin));
    const cx = size / 2, cy = radial ? size / 2 : size / 2 - 10;
    const angles = new Map(ids.map((id, i) => [id, (2 * Math.PI * i) / ids.length - Math.PI / 2]));
    const where = new Map(ids.map((id) => {
      const angle = angles.get(id);
      return [id, [cx + r * Math.cos(angle), cy + r * Math.sin(angle)]];
    }));
    // Many edges: the undirected ones fade, so that arrows of who copied whom stand out.
    const shown = (story.edges || []).filter((e) => where.has(e.source) && where.has(e.target));
    const crowded = shown.length > 40;
    const graph = svg("svg", { viewBox: "0 0 " + size + " " + size, class: "graph", role: "img",
      width: size, height: size });
    const title = svg("title");
    title.textContent = "Who copied whom in story " + story.id + ": arrows go from source to copy" +
      (ids.length < story.articles.length
        ? " (" + ids.length + " of its " + story.articles.length + " members drawn)" : "");
    graph.append(title);
    const defs = svg("defs");
    for (const [relation, colour] of Object.entries(COLOURS)) {
      const marker = svg("marker", { id: "arrow-" + story.id + "-" + relation, viewBox: "0 0 10 10",
        refX: 10, refY: 5, markerWidth: 7, markerHeight: 7, orient: "auto-start-reverse" });
      marker.append(svg("path", { d: "M 0 0 L 10 5 L 0 10 z", fill: colour }));
      defs.append(marker);
    }
    graph.append(defs);
    for (const edge of shown) {
      const pair = data.pairs[pairIndex.get(edge.source + "\u0000" + edge.target)];
      const direction = pair ? pair.direction : "unknown";
      const [x1, y1] = where.get(edge.source);
      const [x2, y2] = where.get(edge.target);
      const len = Math.hypot(x2 - x1, y2 - y1) || 1, pad = 14;
      const directed = copied(edge.relation, direction);
      const line = svg("line", { x1: x1 + ((x2 - x1) * pad) / len, y1: y1 + ((y2 - y1) * pad) / len,
        x2: x2 - ((x2 - x1) * pad) / len, y2: y2 - ((y2 - y1) * pad) / len,
        stroke: COLOURS[edge.relation] || "#333", "stroke-width": crowded && !directed ? 1 : 2.5,
        "stroke-opacity": crowded && !directed ? 0.35 : 1,
        "stroke-dasharray": directed ? "" : "6 4" });
      if (directed) {
        line.setAttribute("marker-end", "url(#arrow-" + story.id + "-" + edge.relation + ")");
      }
      const tip = svg("title");
      tip.textContent = edge.source + (directed ? " → " : " ↔ ") +
        edge.target + ": " + edge.relation + ", " + direction.replace(/_/g, " ");
      line.append(tip);
      graph.append(line);
    }
    for (const id of ids) {
      const [x, y] = where.get(id);
      const original = id === story.original;
      graph.append(svg("circle", { cx: x, cy: y, r: original ? 11 : 8,
        fill: original ? "#1b1b1b" : "#fff", stroke: "#1b1b1b", "stroke-width": 2 }));
      let label;
      if (radial) {
        const angle = angles.get(id), left = Math.cos(angle) < 0;
        const degrees = (angle * 180) / Math.PI + (left ? 180 : 0);
        label = svg("text", { x: x + 16 * Math.cos(angle), y: y + 16 * Math.sin(angle),
          "text-anchor": left ? "end" : "start", "dominant-baseline": "middle",
          transform: "rotate(" + degrees.toFixed(1) + " " + (x + 16 * Math.cos(angle)).toFixed(1) +
            " " + (y + 16 * Math.sin(angle)).toFixed(1) + ")" });
      } else {
        label = svg("text", { x: x, y: y + 24, "text-anchor": "middle" });
      }
      label.textContent = id.length > 20 ? id.slice(0, 19) + "…" : id;
      graph.append(label);
    }
    return graph;
  }

  function renderStory(story) {
    const members = story.articles.map((id) => articles.get(id) || { id: id });
    members.sort((a, b) => String(a.published || "~").localeCompare(String(b.published || "~")));
    const origin = story.original
      ? el("p", {}, "Likely original: ", link(story.original, "article=" + story.original))
      : story.common_source
        ? el("p", { text: "Original not in this run; its members credit a common source: " + story.common_source })
        : el("p", { text: "Original unknown." });
    const timeline = el("ol", { className: "timeline", "aria-label": "Members in order of publication" });
    for (const a of members.slice(0, TIMELINE_MAX)) {
      timeline.append(el("li", {}, el("span", { className: "meta", text: (a.published || "date unknown") + " " }),
        link(a.id, "article=" + a.id), a.title ? " — " + a.title : "",
        a.id === story.original ? el("strong", { text: " (original)" }) : null));
    }
    if (members.length > TIMELINE_MAX) {
      timeline.append(el("li", { className: "meta", text: "… and " + (members.length - TIMELINE_MAX) +
        " more members" + (data.pages ? "" : ", all of them under Articles") }));
    }
    const edges = el("ul", { "aria-label": "Provenance edges" });
    // Who copied whom first (edges with a direction), then the rest, up to EDGE_LIST_MAX.
    const directed = (edge) => {
      const found = pairIndex.get(edge.source + "\u0000" + edge.target);
      return found !== undefined && copied(edge.relation, data.pairs[found].direction);
    };
    const ordered = (story.edges || []).filter(directed)
      .concat((story.edges || []).filter((edge) => !directed(edge)));
    for (const edge of ordered.slice(0, EDGE_LIST_MAX)) {
      const found = pairIndex.get(edge.source + "\u0000" + edge.target);
      const index = found === undefined ? -1 : found;
      edges.append(el("li", {}, el("span", { className: "swatch rel-" + edge.relation, "aria-hidden": "true" }),
        el("a", { href: data.pages
          ? "/ui/pair/" + encodeURIComponent(edge.source) + "/" + encodeURIComponent(edge.target)
          : "#pair=" + index,
          text: edge.source + (directed(edge) ? " → " : " ↔ ") + edge.target }),
        " " + edge.relation + (index >= 0 ? ", " + data.pairs[index].direction.replace(/_/g, " ") : "")));
    }
    if (ordered.length > EDGE_LIST_MAX) {
      edges.append(el("li", { className: "meta", text: "… and " + (ordered.length - EDGE_LIST_MAX) +
        " more pairs in this story" + (data.pages ? "" : ", all of them under Pairs") }));
    }
    return el("article", { className: "card", id: "story-" + story.id },
      el("h3", { text: story.id + ": " + (story.label || "") }), origin,
      el("div", { className: "side-by-side" }, el("div", {}, timeline, edges), storyGraph(story)));
  }

  // --- pairs and articles lists ----------------------------------------------------------------
  function renderPairRow(index) {
    const p = data.pairs[index];
    return el("div", { className: "card" },
      el("h3", {}, link(p.source + (p.direction === "source_to_target" ? " → " : " ↔ ") + p.target, "pair=" + index)),
      el("p", { className: "meta" },
        el("span", { className: "swatch rel-" + p.relation, "aria-hidden": "true" }),
        p.relation + ", " + p.direction.replace(/_/g, " ") + "; score " + p.score +
        "; coverage " + pct(p.coverage_source) + " / " + pct(p.coverage_target) +
        "; " + p.passages.length + " passage" + (p.passages.length === 1 ? "" : "s")));
  }
  function renderArticleRow(a) {
    const bits = [a.source, a.published, "reused " + pct(a.reused_fraction)];
    if (a.removed && a.removed.length) bits.push(a.removed.length + " removed");
    if (a.spin && a.spin.spun) bits.push("spun (score " + a.spin.score + ")");
    return el("div", { className: "card" },
      el("h3", {}, link(a.id, "article=" + a.id), a.title ? " — " + a.title : ""),
      el("p", { className: "meta", text: bits.filter(Boolean).join("; ") }));
  }

  // --- texts with their marks ------------------------------------------------------------------
  // layers: [{spans: [{start, end, ...}], wrap(span, node, first) -> Node}], innermost first.
  function renderText(text, layers) {
    const cuts = new Set([0, text.length]);
    for (const layer of layers) for (const s of layer.spans) {
      cuts.add(Math.max(0, Math.min(text.length, s.start)));
      cuts.add(Math.max(0, Math.min(text.length, s.end)));
    }
    const points = [...cuts].sort((x, y) => x - y);
    const box = el("div", { className: "text" });
    const seen = new Set();
    for (let i = 0; i + 1 < points.length; i++) {
      const a = points[i], b = points[i + 1];
      let node = document.createTextNode(text.slice(a, b));
      for (const layer of layers) {
        const span = layer.spans.find((s) => s.start <= a && b <= s.end);
        if (span) {
          const first = !seen.has(span);
          seen.add(span);
          node = layer.wrap(span, node, first);
        }
      }
      box.append(node);
    }
    return box;
  }
  function removedLayer(article) {
    return { spans: article.removed || [], wrap: (s, node) =>
      el("del", { className: "removed", title: "removed: " + s.reason }, node) };
  }
  function passageLayer(pair, side, pairIndex) {
    const spans = pair.passages.map((p, k) => ({ start: p[side][0], end: p[side][1], k: k, p: p }));
    const mine = side === "source" ? "s" : "t", other = side === "source" ? "t" : "s";
    return { spans: spans, wrap: (s, node, first) => {
      const mark = el("mark", { className: "passage kind-" + s.p.kind + (s.p.quote ? " quote" : ""),
        "data-twin": "p" + pairIndex + "-" + s.k + "-" + other, tabindex: first ? 0 : -1, role: "button",
        id: first ? "p" + pairIndex + "-" + s.k + "-" + mine : null,
        title: "passage " + (s.k + 1) + ": " + s.p.kind + (s.p.quote ? ", quoted speech" : "") +
          ", similarity " + s.p.similarity }, node);
      return mark;
    } };
  }
  function showTwin(mark) {
    const twin = document.getElementById(mark.getAttribute("data-twin"));
    if (!twin) return;
    document.querySelectorAll("mark.twin").forEach((m) => m.classList.remove("twin"));
    twin.classList.add("twin");
    twin.scrollIntoView({ block: "center" });
    twin.focus({ preventScroll: true });
  }

  function textHeading(article, role) {
    const url = safeUrl(article.url);
    return el("div", {},
      el("h3", { text: role + ": " + name(article.id) }),
      el("p", { className: "meta" }, [article.source, article.published, article.author].filter(Boolean).join("; "),
        url ? " " : "", url ? el("a", { href: url, rel: "noopener noreferrer nofollow", text: url }) : null));
  }

  function showPair(index) {
    const pair = data.pairs[index];
    if (!pair) return notFound("pair " + index);
    const source = articles.get(pair.source), target = articles.get(pair.target);
    const view = openView("Pair " + pair.source + " and " + pair.target);
    view.append(el("p", {}, el("span", { className: "swatch rel-" + pair.relation, "aria-hidden": "true" }),
      pair.relation + ", " + pair.direction.replace(/_/g, " ") + ". Coverage " +
      pct(pair.coverage_source) + " of the source, " + pct(pair.coverage_target) + " of the target."));
    view.append(el("div", { className: "side-by-side" },
      el("div", { className: "side", "data-side": "source" }, textHeading(source, "Source"),
        renderText(source.text || "", [passageLayer(pair, "source", index), removedLayer(source)])),
      el("div", { className: "side", "data-side": "target" }, textHeading(target, "Target"),
        renderText(target.text || "", [passageLayer(pair, "target", index), removedLayer(target)]))));
  }

  function showArticle(id) {
    const article = articles.get(id);
    if (!article) return notFound("article " + id);
    const view = openView("Article " + id);
    const facts = [];
    if (article.story) facts.push(el("li", {}, "Story: ", link(article.story, "story=" + article.story)));
    if (article.credits && article.credits.length) facts.push(el("li", { text: "Credits: " + article.credits.join(", ") }));
    if (article.declared_source) facts.push(el("li", { text: "Declares its origin: " + article.declared_source }));
    if (article.spin) facts.push(el("li", { text: "Spin score " + article.spin.score + (article.spin.spun ? " (spun)" : "") }));
    facts.push(el("li", { text: "Reused elsewhere: " + pct(article.reused_fraction) }));
    const related = (pairsOf.get(id) || []).map((i) => {
      const p = data.pairs[i];
      const other = p.source === id ? p.target : p.source;
      const verb = p.direction !== "source_to_target" ? "shares text with " + other
        : p.source === id ? "reused by " + other : "reuses " + other;
      return el("li", {}, link(verb, "pair=" + i), " (" + p.relation + ")");
    });
    const changes = ((article.spin && article.spin.changes) || []).map((c) => ({ start: c.start, end: c.end, c: c }));
    const layers = [
      { spans: changes, wrap: (s, node) => el("ruby", { title: s.c.from ? "restored from " + s.c.from : "restored by the language model" }, node, el("rt", { text: s.c.restored })) },
      { spans: article.unique || [], wrap: (s, node) => el("span", { className: "unique", title: "found in no other member of its story" }, node) },
      removedLayer(article),
    ];
    view.append(textHeading(article, "Article"), el("ul", {}, ...facts),
      related.length ? el("div", {}, el("h3", { text: "Reuse" }), el("ul", {}, ...related)) : null,
      renderText(article.text || "", layers));
  }

  function openView(heading) {
    const view = document.getElementById("view");
    view.hidden = false;
    view.replaceChildren(el("h2", { text: heading, tabindex: -1 }));
    return view;
  }
  function notFound(what) { openView("Not found").append(el("p", { text: "No " + what + " in this report." })); }

  function route() {
    const hash = decodeURIComponent(location.hash.slice(1));
    const [kind, value] = hash.split(/=(.*)/s);
    if (kind === "pair") showPair(Number(value));
    else if (kind === "article") showArticle(value);
    else if (kind === "story") {
      const story = data.stories.find((s) => s.id === value);
      if (data.pages && story) openView("Story " + story.id).append(renderStory(story));
      const card = document.getElementById("story-" + value);
      if (card) card.scrollIntoView();
      if (!data.pages) return;
    } else return;
    const heading = document.querySelector("#view h2");
    heading.focus({ preventScroll: true });
    document.getElementById("view").scrollIntoView();
  }

  document.addEventListener("click", (event) => {
    const mark = event.target.closest && event.target.closest("mark.passage");
    if (mark) showTwin(mark);
  });
  document.addEventListener("keydown", (event) => {
    const mark = event.target.closest && event.target.closest("mark.passage");
    if (mark && (event.key === "Enter" || event.key === " ")) { event.preventDefault(); showTwin(mark); }
  });
  window.addEventListener("hashchange", route);
  const lists = [["stories", data.stories, renderStory, "Stories"],
    ["pairs", data.pairs.map((_, i) => i), renderPairRow, "Pairs"],
    ["articles", data.articles, renderArticleRow, "Articles"]];
  for (const [name, items, render, label] of lists) {
    const box = document.querySelector('[data-list="' + name + '"]');
    if (box) paginate(box, items, render, label);
  }
  if (!location.hash && data.view) location.replace("#" + data.view);
  route();
})();
