/* policykg web UI: the pictures, drawn with d3 (served by this server, from npm).
 *
 * Each picture reads its data from a JSON block of its page, which the server computed from
 * the graph with the queries of queries/ui/: <script type="application/json" id="map-data">,
 * "timeline-data" or "graph-data". The holder (#map, #timeline, #graph) gets the SVG, and
 * data-drawn="true" with the number of marks once it is drawn. Every mark is a link to the
 * page of what it stands for, with a name for screen readers; the page shows the same data
 * as a table or a list, so nothing here is the only way to read it. Names from the graph are
 * written with textContent, never as HTML. Nothing here asks any other host for anything.
 */
(function () {
  "use strict";

  var d3 = window.d3;

  function readData(id) {
    var el = document.getElementById(id);
    if (!el) return null;
    try {
      return JSON.parse(el.textContent || "null");
    } catch (e) {
      return null;
    }
  }

  function fail(holder, what, error) {
    if (window.console) console.error("policykg: the " + what + " could not be drawn", error);
    var p = document.createElement("p");
    p.className = "banner";
    p.textContent = "The " + what + " could not be drawn; the " + (what === "diagram" ? "list" : "table") +
      " below has the same data.";
    holder.appendChild(p);
    holder.setAttribute("data-drawn", "failed");
  }

  // A tooltip inside the holder: lines of text, placed near a point of the holder.
  function makeTip(holder) {
    var tip = document.createElement("div");
    tip.className = "pk-tip";
    tip.hidden = true;
    tip.setAttribute("aria-hidden", "true"); // the marks carry their own names
    holder.appendChild(tip);
    return {
      show: function (lines, anchor) {
        tip.textContent = "";
        lines.forEach(function (line, i) {
          if (!line || !line.text) return;
          var span = document.createElement(i === 0 ? "strong" : "span");
          span.className = line.cls || "";
          if (line.lang) span.lang = line.lang;
          span.textContent = line.text;
          if (i > 0) tip.appendChild(document.createElement("br"));
          tip.appendChild(span);
        });
        var box = holder.getBoundingClientRect();
        var r = anchor.getBoundingClientRect();
        tip.hidden = false;
        var x = r.left - box.left + r.width / 2 + 12;
        var y = r.top - box.top + r.height + 6;
        var maxX = holder.clientWidth - tip.offsetWidth - 6;
        tip.style.left = Math.max(4, Math.min(x, maxX)) + "px";
        tip.style.top = Math.min(y, holder.clientHeight - tip.offsetHeight - 4) + "px";
      },
      hide: function () { tip.hidden = true; }
    };
  }

  function hover(selection, tip, lines) {
    selection
      .on("mouseenter focus", function (event, d) { tip.show(lines(d), this); })
      .on("mouseleave blur", function () { tip.hide(); });
  }

  // ------------------------------------------------------------------ the map

  var W_MAP = 960, H_MAP = 760, R_AREA = 7.5;

  function drawMap(holder, data, shapes) {
    var docs = data.documents;
    var svg = d3.select(holder).append("svg")
      .attr("viewBox", [0, 0, W_MAP, H_MAP])
      .attr("role", "group")
      .attr("aria-label", "Map of China: " + data.places.length + " places drawn, " +
            data.unplaced.length + " not placed");
    var points = {
      type: "Feature",
      geometry: { type: "MultiPoint", coordinates: data.places.map(function (p) { return [p.long, p.lat]; }) }
    };
    var extent = shapes ? { type: "FeatureCollection", features: shapes.features.concat(data.places.length ? [points] : []) }
      : { type: "MultiPoint", coordinates: [[73, 18], [135, 18], [135, 54], [73, 54]].concat(points.geometry.coordinates) };
    var projection = d3.geoConicEqualArea().parallels([25, 47]).rotate([-105, 0])
      .fitExtent([[24, 24], [W_MAP - 24, H_MAP - 24]], extent);
    var path = d3.geoPath(projection);
    var tip = makeTip(holder);

    var base = svg.append("g").attr("class", "pk-zoom-layer");
    base.append("path")
      .datum(d3.geoGraticule().extent([[70, 0], [140, 60]]).step([10, 10])())
      .attr("class", "pk-graticule").attr("d", path);
    if (shapes) {
      base.append("g").attr("class", "pk-provinces").selectAll("path")
        .data(shapes.features).join("path")
        .attr("class", "pk-province")
        .attr("data-code", function (f) { return f.properties.code; })
        .attr("d", path)
        .append("title").text(function (f) {
          return f.properties.name + (f.properties.name_zh ? " " + f.properties.name_zh : "");
        });
    }

    var places = data.places.map(function (p) {
      var xy = projection([p.long, p.lat]);
      return Object.assign({}, p, { x: xy[0], y: xy[1], dx: 0, dy: 0 });
    });

    function describe(p) {
      var by = p.documents.map(function (i) { return docs[i].label; }).join("; ");
      return p.label + " (" + p.type + ")" + (p.kind === "site" ? ", listed by " : ", pilot area of ") + by +
        (p.via ? "; drawn at " + p.via.label : "");
    }

    var marks = svg.append("g").attr("class", "pk-marks").selectAll("a")
      .data(places).join("a")
      .attr("class", function (p) { return "pk-mark pk-" + p.kind; })
      .attr("href", function (p) { return p.href; })
      .attr("aria-label", describe)
      .attr("data-iri", function (p) { return p.iri; })
      .attr("data-docs", function (p) { return p.documents.join(" "); });
    var arc = d3.arc().innerRadius(0).outerRadius(R_AREA);
    marks.each(function (p) {
      var g = d3.select(this);
      if (p.kind === "area") {
        g.append("circle").attr("class", "pk-focus").attr("r", R_AREA + 3.5);
        g.selectAll("path.pk-shape")
          .data(d3.pie().value(1).sort(null)(p.documents)).join("path")
          .attr("class", "pk-shape")
          .attr("d", arc)
          .attr("fill", function (a) { return docs[a.data].colour; });
      } else {
        g.append("circle").attr("class", "pk-focus").attr("r", 10);
        p.documents.slice(1).forEach(function (i, k) {
          g.append("circle").attr("class", "pk-ring").attr("r", 9 + 3 * k).attr("stroke", docs[i].colour);
        });
        g.append("path").attr("class", "pk-shape")
          .attr("d", d3.symbol(d3.symbolDiamond, 150)())
          .attr("fill", docs[p.documents[0]].colour);
      }
      g.append("text").attr("class", "pk-mark-label").attr("x", 10).attr("y", 4).text(p.label);
    });
    hover(marks, tip, function (p) {
      return [
        { text: p.label },
        { text: p.labelZh, lang: "zh", cls: "pk-tip-zh" },
        { text: p.type, cls: "pk-tip-meta" },
        { text: (p.kind === "site" ? "listed by " : "pilot area of ") +
            p.documents.map(function (i) { return docs[i].label; }).join("; "), cls: "pk-tip-meta" },
        { text: p.via ? "drawn at " + p.via.label + " (no point of its own)" : null, cls: "pk-tip-meta" }
      ];
    });

    // Places closer than a mark's size on the screen (a site drawn at its city, two pilot
    // areas of one city) are set around their first one, an area before a site; zooming in
    // moves them apart again.
    function place(transform) {
      var screen = places.map(function (p) {
        var xy = transform.apply([p.x, p.y]);
        return { p: p, x: xy[0], y: xy[1] };
      });
      screen.sort(function (a, b) {
        return (a.p.kind === b.p.kind ? 0 : a.p.kind === "area" ? -1 : 1) || d3.ascending(a.p.label, b.p.label);
      });
      var clusters = [];
      screen.forEach(function (s) {
        var near = clusters.filter(function (c) { return Math.hypot(c.x - s.x, c.y - s.y) < 2 * R_AREA + 1; })[0];
        if (near) near.members.push(s);
        else clusters.push({ x: s.x, y: s.y, members: [s] });
      });
      clusters.forEach(function (c) {
        c.members[0].p.dx = c.x - c.members[0].x;
        c.members[0].p.dy = c.y - c.members[0].y;
        var ring = c.members.slice(1);
        ring.forEach(function (s, i) {
          var angle = -Math.PI / 2 + 2 * Math.PI * i / Math.max(ring.length, 1);
          var r = 2 * R_AREA + 1 + (ring.length > 6 ? 4 : 0);
          s.p.dx = c.x + r * Math.cos(angle) - s.x;
          s.p.dy = c.y + r * Math.sin(angle) - s.y;
        });
      });
      marks.attr("transform", function (p) {
        var xy = transform.apply([p.x, p.y]);
        return "translate(" + (xy[0] + p.dx) + "," + (xy[1] + p.dy) + ")";
      });
    }
    place(d3.zoomIdentity);

    // zoom: drag to pan, Ctrl + wheel or the buttons to zoom (a plain wheel scrolls the page)
    var zoom = d3.zoom().scaleExtent([1, 12]).translateExtent([[0, 0], [W_MAP, H_MAP]])
      .filter(function (event) { return event.type === "wheel" ? (event.ctrlKey || event.metaKey) : !event.button; })
      .on("zoom", function (event) {
        base.attr("transform", event.transform);
        place(event.transform);
        svg.classed("pk-labels", event.transform.k >= 3);
        tip.hide();
      });
    svg.call(zoom);
    var buttons = document.createElement("div");
    buttons.className = "pk-zoom-buttons";
    [["+", "Zoom in", function () { svg.transition().call(zoom.scaleBy, 2); }],
     ["\u2212", "Zoom out", function () { svg.transition().call(zoom.scaleBy, 0.5); }],
     ["\u21ba", "Show the whole map", function () { svg.transition().call(zoom.transform, d3.zoomIdentity); }]]
      .forEach(function (b) {
        var button = document.createElement("button");
        button.type = "button";
        button.textContent = b[0];
        button.title = b[1];
        button.setAttribute("aria-label", b[1]);
        button.addEventListener("click", b[2]);
        buttons.appendChild(button);
      });
    holder.appendChild(buttons);

    // the legend outside the picture: pointing at a document shows only its places
    var legend = document.getElementById("map-legend");
    if (legend) {
      Array.prototype.forEach.call(legend.querySelectorAll("li[data-doc]"), function (li) {
        var index = li.getAttribute("data-doc");
        function on() {
          li.classList.add("pk-active");
          marks.classed("pk-dimmed", function (p) { return p.documents.indexOf(+index) < 0; });
        }
        function off() {
          li.classList.remove("pk-active");
          marks.classed("pk-dimmed", false);
        }
        li.addEventListener("mouseenter", on);
        li.addEventListener("mouseleave", off);
        li.addEventListener("focusin", on);
        li.addEventListener("focusout", off);
      });
    }
    holder.setAttribute("data-marks", String(places.length));
    holder.setAttribute("data-provinces", String(shapes ? shapes.features.length : 0));
    holder.setAttribute("data-drawn", "true");
  }

  function startMap(holder) {
    var data = readData("map-data");
    if (!data) return;
    function go(shapes) {
      try {
        drawMap(holder, data, shapes);
      } catch (e) {
        fail(holder, "map", e);
      }
    }
    if (!data.shapes) {
      go(null);
      return;
    }
    fetch(data.shapes, { credentials: "same-origin" })
      .then(function (r) { return r.ok ? r.json() : null; })
      .catch(function () { return null; })
      .then(go);
  }

  // ------------------------------------------------------------------ the timeline

  var W_TIME = 960, LEFT = 330, RIGHT = 24, TOP = 52, ROW = 30, BOTTOM = 34;
  var STATUS_NAMES = { running: "running", ended: "ended", upcoming: "not yet started" };

  function truncate(text, n) {
    return text.length <= n ? text : text.slice(0, n - 1).replace(/[\s,:;]+$/, "") + "\u2026";
  }

  function drawTimeline(holder, data) {
    var docs = data.documents;
    var parse = d3.utcParse("%Y-%m-%d");
    var day = parse(data.day);
    if (!docs.length) {
      holder.setAttribute("data-drawn", "true");
      holder.setAttribute("data-bars", "0");
      return;
    }
    var height = TOP + ROW * docs.length + BOTTOM;
    var dates = [day];
    docs.forEach(function (d) {
      [d.issued, d.start, d.end].forEach(function (s) { if (s) dates.push(parse(s)); });
    });
    var extent = d3.extent(dates);
    var x = d3.scaleUtc()
      .domain([d3.utcMonth.offset(extent[0], -4), d3.utcMonth.offset(extent[1], 4)])
      .range([LEFT, W_TIME - RIGHT]);
    var svg = d3.select(holder).append("svg")
      .attr("viewBox", [0, 0, W_TIME, height])
      .attr("role", "group")
      .attr("aria-label", "Timeline of " + docs.length + " documents, with " +
            (data.isToday ? "today" : data.day) + " marked");
    var tip = makeTip(holder);
    var years = d3.utcYear.count(x.domain()[0], x.domain()[1]);
    var ticks = years > 14 ? d3.utcYear.every(2) : years > 2 ? d3.utcYear.every(1) : d3.utcMonth.every(3);
    svg.append("g").attr("class", "pk-axis").attr("transform", "translate(0," + (TOP - 8) + ")")
      .call(d3.axisTop(x).ticks(ticks));
    svg.append("g").attr("class", "pk-axis").attr("transform", "translate(0," + (height - BOTTOM + 6) + ")")
      .call(d3.axisBottom(x).ticks(ticks));

    var rows = svg.append("g").selectAll("g").data(docs).join("g")
      .attr("class", "pk-row")
      .attr("transform", function (d, i) { return "translate(0," + (TOP + i * ROW) + ")"; });
    rows.append("line").attr("class", "pk-row-line")
      .attr("x1", LEFT).attr("x2", W_TIME - RIGHT).attr("y1", ROW / 2).attr("y2", ROW / 2);
    rows.append("a").attr("href", function (d) { return d.href; })
      .attr("aria-label", function (d) { return d.label; })
      .append("text").attr("class", "pk-row-label")
      .attr("x", LEFT - 12).attr("y", ROW / 2 + 4).attr("text-anchor", "end")
      .text(function (d) { return truncate(d.label, 48); })
      .append("title").text(function (d) { return d.label; });

    var oneDay = 24 * 3600 * 1000;
    var withTrial = rows.filter(function (d) { return d.start || d.end; });
    var bars = withTrial.append("a")
      .attr("class", function (d) { return "pk-mark pk-trial pk-" + d.status; })
      .attr("href", function (d) { return d.href; })
      .attr("aria-label", function (d) {
        return d.label + ": trial period " + (d.start || "?") + " to " + (d.end || "open") + ", " +
          STATUS_NAMES[d.status] + " on " + data.day;
      });
    bars.append("rect")
      .attr("class", function (d) { return "pk-bar pk-" + d.status; })
      .attr("x", function (d) { return x(d.start ? parse(d.start) : x.domain()[0]); })
      .attr("width", function (d) {
        var from = d.start ? parse(d.start) : x.domain()[0];
        var to = d.end ? new Date(+parse(d.end) + oneDay) : x.domain()[1]; // the last day is a whole day
        return Math.max(2, x(to) - x(from));
      })
      .attr("y", 7).attr("height", ROW - 14).attr("rx", 3)
      .attr("fill", function (d) { return data.colours[d.status]; });
    bars.append("text").attr("class", "pk-bar-text")
      .attr("x", function (d) { return x(d.start ? parse(d.start) : x.domain()[0]) + 10; })
      .attr("y", ROW / 2 + 4)
      .text(function (d) {
        var from = d.start ? parse(d.start) : x.domain()[0];
        var to = d.end ? parse(d.end) : x.domain()[1];
        var text = (d.start || "") + " \u2013 " + (d.end || "") + " \u00b7 " + STATUS_NAMES[d.status];
        return x(to) - x(from) > text.length * 6.2 + 24 ? text : "";
      });
    hover(bars, tip, function (d) {
      return [{ text: d.label }, { text: d.labelZh, lang: "zh", cls: "pk-tip-zh" },
              { text: "trial period " + (d.start || "?") + " to " + (d.end || "(open)"), cls: "pk-tip-meta" },
              { text: STATUS_NAMES[d.status] + " on " + data.day, cls: "pk-tip-meta" }];
    });

    var issued = rows.filter(function (d) { return d.issued; }).append("a")
      .attr("class", "pk-mark pk-issue")
      .attr("href", function (d) { return d.href; })
      .attr("aria-label", function (d) { return d.label + ": issued " + d.issued; });
    issued.append("circle").attr("class", "pk-issued")
      .attr("cx", function (d) { return x(parse(d.issued)); }).attr("cy", ROW / 2).attr("r", 5.5);
    hover(issued, tip, function (d) {
      return [{ text: d.label }, { text: d.labelZh, lang: "zh", cls: "pk-tip-zh" },
              { text: (d.types || []).join(", ") + ", issued " + d.issued, cls: "pk-tip-meta" }];
    });

    var today = svg.append("g").attr("class", "pk-today");
    today.append("line").attr("class", "pk-today-line")
      .attr("x1", x(day)).attr("x2", x(day)).attr("y1", 18).attr("y2", height - BOTTOM + 4);
    today.append("text").attr("class", "pk-today-label")
      .attr("x", x(day)).attr("y", 13)
      .attr("text-anchor", x(day) > W_TIME - 120 ? "end" : x(day) < LEFT + 60 ? "start" : "middle")
      .text((data.isToday ? "today " : "") + data.day);

    holder.setAttribute("data-bars", String(bars.size()));
    holder.setAttribute("data-issued", String(issued.size()));
    holder.setAttribute("data-drawn", "true");
  }

  // ------------------------------------------------------------------ the neighbourhood

  var W_GRAPH = 900, H_GRAPH = 540, MARGIN = 36;

  function drawGraph(holder, data) {
    var nodes = data.nodes.map(function (n) { return Object.assign({}, n); });
    var links = data.links.map(function (l) { return Object.assign({}, l); });
    var centre = nodes.filter(function (n) { return n.centre; })[0];
    var height = nodes.length > 24 ? H_GRAPH + 120 : H_GRAPH;
    centre.fx = W_GRAPH / 2;
    centre.fy = height / 2;
    function touchesCentre(l) { return l.source === centre.id || l.target === centre.id ||
                                       l.source === centre || l.target === centre; }
    // a hub with many neighbours needs a wider circle for them
    var spokes = links.filter(touchesCentre).length;
    var reach = Math.max(120, Math.min(300, 10 * spokes));
    var sim = d3.forceSimulation(nodes)
      .force("link", d3.forceLink(links).id(function (n) { return n.id; })
        .distance(function (l) { return touchesCentre(l) ? reach : 75; }).strength(0.5))
      .force("charge", d3.forceManyBody().strength(-420))
      // room for a node's label, which is written under it
      .force("collide", d3.forceCollide().radius(function (n) {
        return n.centre ? 46 : Math.max(26, Math.min(72, 3.1 * n.short.length));
      }).strength(0.9))
      .force("x", d3.forceX(W_GRAPH / 2).strength(0.05))
      .force("y", d3.forceY(height / 2).strength(0.08))
      .stop();
    for (var i = 0; i < 320; i++) sim.tick();
    // the view: the laid-out graph with room for its labels, no smaller than 900 by 360 (so
    // that a small graph is not drawn larger than a big one)
    var xs = d3.extent(nodes, function (n) { return n.x; }), ys = d3.extent(nodes, function (n) { return n.y; });
    var box = { x0: xs[0] - 90, x1: xs[1] + 90, y0: ys[0] - 24, y1: ys[1] + 40 };
    if (box.x1 - box.x0 < W_GRAPH) { var gx = (W_GRAPH - (box.x1 - box.x0)) / 2; box.x0 -= gx; box.x1 += gx; }
    if (box.y1 - box.y0 < 360) { var gy = (360 - (box.y1 - box.y0)) / 2; box.y0 -= gy; box.y1 += gy; }
    function clamp(n) {
      n.x = Math.max(box.x0 + MARGIN, Math.min(box.x1 - MARGIN, n.x));
      n.y = Math.max(box.y0 + MARGIN / 2, Math.min(box.y1 - MARGIN, n.y));
    }

    var svg = d3.select(holder).append("svg")
      .attr("viewBox", [box.x0, box.y0, box.x1 - box.x0, box.y1 - box.y0])
      .attr("role", "group")
      .attr("aria-label", "Neighbourhood of " + centre.label + ": " + nodes.length + " entities, " +
            links.length + " links");
    svg.append("defs").append("marker")
      .attr("id", "pk-arrow").attr("viewBox", "0 -4 8 8").attr("refX", 8).attr("refY", 0)
      .attr("markerWidth", 7).attr("markerHeight", 7).attr("orient", "auto")
      .append("path").attr("d", "M0,-4L8,0L0,4").attr("fill", "#8795a1");
    var tip = makeTip(holder);

    var edge = svg.append("g").attr("class", "pk-links-layer").selectAll("line")
      .data(links).join("line")
      .attr("class", function (l) { return "pk-link" + (touchesCentre(l) ? " pk-link-centre" : ""); })
      .attr("marker-end", "url(#pk-arrow)");
    edge.append("title").text(function (l) { return l.source.label + " \u2014 " + l.label + " \u2192 " + l.target.label; });

    var node = svg.append("g").attr("class", "pk-nodes").selectAll("a")
      .data(nodes).join("a")
      .attr("class", function (n) { return "pk-node pk-kind-" + n.kind + (n.centre ? " pk-centre" : ""); })
      .attr("href", function (n) { return n.href; })
      .attr("data-iri", function (n) { return n.id; })
      .attr("aria-label", function (n) { return n.label + " (" + n.type + ")"; });
    node.filter(function (n) { return n.centre; }).attr("aria-current", "page");
    node.append("circle")
      .attr("r", function (n) { return n.centre ? 14 : 9; })
      .attr("fill", function (n) { return n.colour; });
    node.append("text")
      .attr("text-anchor", "middle")
      .attr("dy", function (n) { return n.centre ? 30 : 22; })
      .text(function (n) { return n.short; });
    hover(node, tip, function (n) {
      return [{ text: n.label }, { text: n.labelZh, lang: "zh", cls: "pk-tip-zh" }, { text: n.type, cls: "pk-tip-meta" }];
    });

    function radius(n) { return n.centre ? 16 : 11; }
    function update() {
      edge.each(function (l) {
        // stop the line at the target's circle, for the arrowhead
        var dx = l.target.x - l.source.x, dy = l.target.y - l.source.y;
        var len = Math.sqrt(dx * dx + dy * dy) || 1;
        d3.select(this)
          .attr("x1", l.source.x + dx / len * radius(l.source)).attr("y1", l.source.y + dy / len * radius(l.source))
          .attr("x2", l.target.x - dx / len * radius(l.target)).attr("y2", l.target.y - dy / len * radius(l.target));
      });
      node.attr("transform", function (n) { return "translate(" + n.x + "," + n.y + ")"; });
    }
    update();
    sim.on("tick", function () { nodes.forEach(clamp); update(); });

    // drag a node to move it (a click without moving still follows the link)
    function pointer(event) { return d3.pointer(event, svg.node()); }
    node.call(d3.drag()
      .on("start", function (event, n) {
        tip.hide();
        if (!event.active) sim.alphaTarget(0.2).restart();
        n.fx = n.x;
        n.fy = n.y;
      })
      .on("drag", function (event, n) {
        var p = pointer(event.sourceEvent);
        n.fx = Math.max(box.x0 + MARGIN, Math.min(box.x1 - MARGIN, p[0]));
        n.fy = Math.max(box.y0 + MARGIN / 2, Math.min(box.y1 - MARGIN, p[1]));
      })
      .on("end", function (event, n) {
        if (!event.active) sim.alphaTarget(0);
        if (!n.centre) {
          n.fx = null;
          n.fy = null;
        }
      }));

    holder.setAttribute("data-nodes", String(nodes.length));
    holder.setAttribute("data-links", String(links.length));
    holder.setAttribute("data-drawn", "true");
  }

  // ------------------------------------------------------------------ start

  function start() {
    if (!d3) return; // the page says so, and shows the table
    var map = document.getElementById("map");
    if (map) startMap(map);
    var timeline = document.getElementById("timeline");
    var tdata = readData("timeline-data");
    if (timeline && tdata) {
      try { drawTimeline(timeline, tdata); } catch (e) { fail(timeline, "timeline", e); }
    }
    var graph = document.getElementById("graph");
    var gdata = readData("graph-data");
    if (graph && gdata) {
      try { drawGraph(graph, gdata); } catch (e) { fail(graph, "diagram", e); }
    }
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
