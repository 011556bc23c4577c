// The operations dashboard: KPIs, charts, the exception queue, order search and timelines, refreshed every few seconds.
"use strict";
(() => {
  const api = "/api/v1";
  const tokenKey = "retail.ops.token";
  const statuses = ["Received", "Reserved", "Backordered", "OnHold", "Released", "PartiallyShipped", "Shipped", "Completed", "Cancelled", "Promised"];
  const channels = ["web", "shopify", "marketplace", "pos", "callcenter", "b2b"];
  const $ = (id) => document.getElementById(id);
  let exceptionCursor = null, orderCursor = null, openOrderId = null;
  const expandedGroups = new Set();
  const groupKey = (group) => `${group.kind}\u0000${group.root}`;

  function showError(message) {
    $("error").textContent = message;
    $("error").hidden = !message;
  }

  async function token() {
    const stored = sessionStorage.getItem(tokenKey);
    if (stored) return stored;
    const response = await fetch("/ops/dev-token", {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ subject: "ops-dashboard" }),
    });
    if (!response.ok) return null;
    const body = await response.json();
    sessionStorage.setItem(tokenKey, body.accessToken);
    return body.accessToken;
  }

  async function call(path, options = {}) {
    const bearer = await token();
    if (!bearer) { askForToken(); throw new Error("A bearer token is needed."); }
    const headers = { Authorization: `Bearer ${bearer}`, ...(options.body ? { "Content-Type": "application/json" } : {}) };
    const response = await fetch(api + path, { ...options, headers });
    if (response.status === 401) { sessionStorage.removeItem(tokenKey); askForToken(); }
    const body = response.headers.get("content-type")?.includes("json") ? await response.json() : null;
    if (!response.ok) {
      const fields = body?.errors ? " " + Object.entries(body.errors).map(([k, v]) => `${k}: ${v.join(" ")}`).join("; ") : "";
      throw new Error(`${body?.title ?? response.statusText} (${body?.code ?? response.status}).${fields} Correlation id ${body?.correlationId ?? response.headers.get("X-Correlation-Id")}.`);
    }
    return body;
  }

  function askForToken() {
    $("token-panel").hidden = false;
    $("app").hidden = true;
  }

  function age(iso) {
    const seconds = Math.max(0, (Date.now() - Date.parse(iso)) / 1000);
    if (seconds < 90) return `${Math.round(seconds)} s`;
    if (seconds < 5400) return `${Math.round(seconds / 60)} min`;
    if (seconds < 172800) return `${(seconds / 3600).toFixed(1)} h`;
    return `${(seconds / 86400).toFixed(1)} d`;
  }

  const duration = (seconds) => seconds == null ? "–" : seconds >= 120 ? `${(seconds / 60).toFixed(1)} min` : `${seconds.toFixed(1)} s`;

  function cell(row, text, className) {
    const td = row.insertCell();
    td.textContent = text ?? "";
    if (className) td.className = className;
    return td;
  }

  function orderLink(orderId) {
    const link = document.createElement("a");
    link.className = "order-link";
    link.textContent = orderId;
    link.addEventListener("click", () => openOrder(orderId));
    return link;
  }

  // Exception raised -> resolved: the slowest kind's p50 / p95 on the card, every kind in its line below.
  function recovery(byKind) {
    const kinds = Object.entries(byKind ?? {});
    if (kinds.length === 0) return ["– / –", "nothing resolved yet"];
    const [slowest, figures] = kinds.reduce((a, b) => ((b[1].p95Seconds ?? 0) > (a[1].p95Seconds ?? 0) ? b : a));
    return [`${duration(figures.p50Seconds)} / ${duration(figures.p95Seconds)}`,
      `${slowest}; ` + kinds.map(([kind, f]) => `${kind} ${duration(f.p50Seconds)}/${duration(f.p95Seconds)} (${f.count})`).join(", ")];
  }

  function renderKpis(k) {
    const cards = [
      ["Orders today", k.orders.total, `since ${new Date(k.since).toISOString().slice(0, 10)} UTC`],
      ["Fallout rate", `${(k.falloutRate * 100).toFixed(1)} %`, "on hold, backordered or cancelled"],
      ["Open exceptions", k.exceptions.count, k.exceptions.oldestAgeSeconds == null ? "none open" : `oldest ${duration(k.exceptions.oldestAgeSeconds)}`],
      ["Fulfilment p50 / p95", `${duration(k.fulfilmentLatency.p50Seconds)} / ${duration(k.fulfilmentLatency.p95Seconds)}`, `${k.fulfilmentLatency.count} shipped today`],
      ["ERP posting p50 / p95", `${duration(k.erpPostingDelay.p50Seconds)} / ${duration(k.erpPostingDelay.p95Seconds)}`, `${k.erpPostingDelay.count} accepted today`],
      ["Inventory variances", k.inventoryVariance.today, `${k.inventoryVariance.openToday} still open`],
      ["Refund backlog", k.refundBacklog.count, `${k.refundBacklog.amount.toFixed(2)} pending`],
      ["Recovery p50 / p95", ...recovery(k.recoveryTimeByKind)],
      ["Return cycle p50 / p95", `${duration(k.returnCycleTime.authorizedToRefunded.p50Seconds)} / ${duration(k.returnCycleTime.authorizedToRefunded.p95Seconds)}`,
        `authorised→received ${duration(k.returnCycleTime.authorizedToReceived.p50Seconds)}/${duration(k.returnCycleTime.authorizedToReceived.p95Seconds)}, ` +
        `received→refunded ${duration(k.returnCycleTime.receivedToRefunded.p50Seconds)}/${duration(k.returnCycleTime.receivedToRefunded.p95Seconds)} ` +
        `(${k.returnCycleTime.authorizedToRefunded.count} refunded)`],
      ["Manual touch rate", `${k.manualTouchRate.perHundredOrders.toFixed(1)} / 100`, `${k.manualTouchRate.touched} of ${k.manualTouchRate.orders} orders today needed a person`],
    ];
    $("kpis").replaceChildren(...cards.map(([label, value, sub]) => {
      const card = document.createElement("div");
      card.className = "kpi";
      card.dataset.kpi = label;
      for (const [cls, text] of [["label", label], ["value", value], ["sub", sub]]) {
        const div = document.createElement("div");
        div.className = cls;
        div.textContent = text;
        card.append(div);
      }
      return card;
    }));
    RetailCharts.bars($("chart-status"), Object.entries(k.orders.byStatus));
    RetailCharts.bars($("chart-channel"), Object.entries(k.orders.byChannel));
    RetailCharts.percentiles($("chart-latency"), [["fulfilment", k.fulfilmentLatency], ["ERP posting", k.erpPostingDelay]]);
  }

  function renderExceptions(page, append) {
    const body = $("exceptions").tBodies[0];
    if (!append) body.replaceChildren();
    for (const record of page.items) {
      const row = body.insertRow();
      row.dataset.exceptionId = record.id;
      cell(row, age(record.createdAt));
      cell(row, record.kind);
      const key = cell(row, "");
      key.append(record.kind === "DeadLetter" ? document.createTextNode(record.businessKey) : orderLink(record.businessKey));
      cell(row, record.reason, "reason");
      cell(row, String(record.attempts));
      const actions = cell(row, "");
      const retry = document.createElement("button");
      retry.textContent = "Retry";
      retry.addEventListener("click", () => act(`/exceptions/${encodeURIComponent(record.id)}/retry`, {}));
      const resolve = document.createElement("button");
      resolve.textContent = "Resolve";
      resolve.className = "secondary";
      resolve.addEventListener("click", () => {
        const resolution = prompt("What was done about it?", "Handled manually");
        if (resolution) act(`/exceptions/${encodeURIComponent(record.id)}/resolve`, { resolution });
      });
      actions.append(retry, " ", resolve);
    }
    exceptionCursor = page.nextCursor ?? null;
    $("exceptions-more").hidden = !exceptionCursor;
  }

  // Groups first: one row per cause (kind + root); "Show" expands the group into its records, oldest first.
  async function renderGroups(list) {
    const body = $("exception-groups").tBodies[0];
    body.replaceChildren();
    $("group-count").textContent = `(${list.items.length} causes)`;
    for (const group of list.items) {
      const row = body.insertRow();
      row.className = "group";
      row.dataset.groupKind = group.kind;
      row.dataset.groupRoot = group.root;
      cell(row, group.kind);
      cell(row, group.root || "(none)");
      cell(row, String(group.count), "count");
      cell(row, age(group.oldestCreatedAt));
      cell(row, age(group.newestCreatedAt));
      const actions = cell(row, "");
      const show = document.createElement("button");
      const open = expandedGroups.has(groupKey(group));
      show.textContent = open ? "Hide" : "Show";
      show.className = "secondary";
      show.addEventListener("click", () => {
        if (expandedGroups.has(groupKey(group))) expandedGroups.delete(groupKey(group)); else expandedGroups.add(groupKey(group));
        refresh();
      });
      const retry = document.createElement("button");
      retry.textContent = "Retry group";
      retry.addEventListener("click", () => act("/exceptions/groups/retry", { kind: group.kind, root: group.root }));
      const resolve = document.createElement("button");
      resolve.textContent = "Resolve group";
      resolve.className = "secondary";
      resolve.addEventListener("click", () => {
        const resolution = prompt(`What was done about these ${group.count}?`, "Handled manually");
        if (resolution) act("/exceptions/groups/resolve", { kind: group.kind, root: group.root, resolution });
      });
      actions.append(show, " ", retry, " ", resolve);
      if (open) {
        const records = await call(`/exceptions?limit=200&kind=${encodeURIComponent(group.kind)}&root=${encodeURIComponent(group.root)}`);
        const detail = body.insertRow();
        detail.className = "group-records";
        const holder = detail.insertCell();
        holder.colSpan = 6;
        const table = document.createElement("table");
        for (const record of records.items) {
          const recordRow = table.insertRow();
          recordRow.dataset.groupRecordId = record.id;
          cell(recordRow, age(record.createdAt));
          const key = cell(recordRow, "");
          key.append(record.kind === "DeadLetter" ? document.createTextNode(record.businessKey) : orderLink(record.businessKey));
          cell(recordRow, record.reason, "reason");
          cell(recordRow, String(record.attempts));
        }
        holder.append(table);
      }
    }
  }

  async function act(path, body) {
    try {
      await call(path, { method: "POST", body: JSON.stringify(body), headers: {} });
      await refresh();
      $("status").textContent = `done: ${path.split("/").pop()} at ${new Date().toLocaleTimeString()}`;
    } catch (error) { showError(error.message); }
  }

  function orderQuery() {
    const params = new URLSearchParams();
    if ($("filter-status").value) params.set("status", $("filter-status").value);
    if ($("filter-channel").value) params.set("channel", $("filter-channel").value);
    if ($("filter-age").value) params.set("olderThanMinutes", $("filter-age").value);
    params.set("limit", "25");
    return params;
  }

  async function listOrders(append) {
    const params = orderQuery();
    if (append && orderCursor) params.set("cursor", orderCursor);
    const page = await call(`/orders?${params}`);
    const body = $("orders").tBodies[0];
    if (!append) body.replaceChildren();
    for (const order of page.items) {
      const row = body.insertRow();
      cell(row, "").append(orderLink(order.orderId));
      cell(row, order.channel);
      cell(row, order.status);
      cell(row, `${age(order.receivedAt)} ago`);
    }
    orderCursor = page.nextCursor ?? null;
    $("orders-more").hidden = !orderCursor;
  }

  async function openOrder(orderId, scroll = true) {
    try {
      const order = await call(`/orders/${encodeURIComponent(orderId)}`);
      openOrderId = order.orderId;
      $("order-view").hidden = false;
      $("order-title").textContent = order.orderId;
      $("order-summary").textContent = `${order.channel} ${order.channelOrderId} · ${order.status}` +
        (order.holdReason ? ` · held: ${order.holdReason}` : "") + ` · received ${new Date(order.receivedAt).toLocaleString()}`;
      const lines = $("order-lines").tBodies[0];
      lines.replaceChildren();
      for (const line of order.lines) {
        const row = lines.insertRow();
        for (const value of [line.lineId, line.sku, line.ordered, line.reserved, line.shipped, line.cancelled, line.returned, line.backordered, line.promised ?? 0]) cell(row, String(value));
        cell(row, line.promisedAt ? new Date(line.promisedAt).toLocaleString() : "");
      }
      $("timeline").replaceChildren(...order.timeline.map((entry) => {
        const item = document.createElement("li");
        const type = document.createElement("span");
        type.className = "type";
        type.textContent = entry.type;
        const meta = document.createElement("div");
        meta.className = "muted";
        meta.textContent = `${new Date(entry.at).toLocaleString()}${entry.correlationId ? ` · correlation ${entry.correlationId}` : ""}`;
        item.append(type, ` ${entry.detail}`, meta);
        return item;
      }));
      if (scroll) $("order-view").scrollIntoView({ behavior: "smooth" });
      showError("");
    } catch (error) { showError(error.message); }
  }

  // Orders promised from inbound supply, oldest first, with the date each one's last promised unit is expected.
  async function renderPromised() {
    const page = await call("/orders?status=Promised&limit=25");
    const views = await Promise.all(page.items.map((order) => call(`/orders/${encodeURIComponent(order.orderId)}`)));
    const body = $("promised-orders").tBodies[0];
    body.replaceChildren();
    for (const order of views) {
      const row = body.insertRow();
      cell(row, "").append(orderLink(order.orderId));
      cell(row, order.channel);
      cell(row, `${age(order.receivedAt)} ago`);
      const dates = order.lines.map((line) => line.promisedAt).filter(Boolean).sort();
      cell(row, dates.length ? new Date(dates[dates.length - 1]).toLocaleString() : "");
    }
    $("promised-count").textContent = `(${page.items.length}${page.nextCursor ? "+" : ""})`;
  }

  // One SKU's supply on its way and the earliest date the asked quantity can be promised.
  async function showSupply() {
    const sku = $("supply-sku").value.trim();
    if (!sku) return;
    const quantity = Math.max(1, Number($("supply-quantity").value) || 1);
    const availability = await call(`/availability/${encodeURIComponent(sku)}?quantity=${quantity}`);
    const body = $("inbound").tBodies[0];
    body.replaceChildren();
    for (const supply of availability.inbound) {
      const row = body.insertRow();
      for (const value of [supply.locationId, supply.reference, supply.kind, supply.quantity, supply.promised]) cell(row, String(value));
      cell(row, new Date(supply.expectedAt).toLocaleString());
    }
    const promise = availability.promise;
    $("supply-promise").textContent = `${availability.total} available now; ` + (promise
      ? `${quantity} can be promised from ${new Date(promise.availableFrom).toLocaleString()} at ${promise.locationId}.`
      : `no supply reaches ${quantity}.`);
  }

  async function refresh() {
    try {
      const [kpis, groups, exceptions] = await Promise.all([call("/kpis"), call("/exceptions/groups"), call("/exceptions?limit=50")]);
      await renderPromised();
      renderKpis(kpis);
      await renderGroups(groups);
      renderExceptions(exceptions, false);
      $("exception-count").textContent = `(${kpis.exceptions.count} open)`;
      $("status").textContent = `updated ${new Date().toLocaleTimeString()}`;
      showError("");
      $("app").hidden = false;
      $("token-panel").hidden = true;
    } catch (error) {
      $("status").textContent = "not updated";
      showError(error.message);
    }
  }

  function start() {
    for (const status of statuses) $("filter-status").append(new Option(status, status));
    for (const channel of channels) $("filter-channel").append(new Option(channel, channel));
    $("token-form").addEventListener("submit", (event) => {
      event.preventDefault();
      sessionStorage.setItem(tokenKey, $("token-input").value.trim());
      refresh().then(() => listOrders(false));
    });
    $("order-search").addEventListener("submit", (event) => { event.preventDefault(); if ($("order-id").value.trim()) openOrder($("order-id").value.trim()); });
    $("order-filter").addEventListener("submit", (event) => { event.preventDefault(); listOrders(false).catch((error) => showError(error.message)); });
    $("orders-more").addEventListener("click", () => listOrders(true).catch((error) => showError(error.message)));
    $("exceptions-more").addEventListener("click", async () => {
      try { renderExceptions(await call(`/exceptions?limit=50&cursor=${encodeURIComponent(exceptionCursor)}`), true); } catch (error) { showError(error.message); }
    });
    $("supply-search").addEventListener("submit", (event) => { event.preventDefault(); showSupply().catch((error) => showError(error.message)); });
    $("order-close").addEventListener("click", () => { $("order-view").hidden = true; openOrderId = null; });
    refresh().then(() => listOrders(false)).catch((error) => showError(error.message));
    setInterval(() => {
      if (!$("live").checked || !$("token-panel").hidden) return;
      refresh();
      if (openOrderId) openOrder(openOrderId, false);
      if ($("supply-sku").value.trim()) showSupply().catch((error) => showError(error.message));
    }, 5000);
  }

  start();
})();
