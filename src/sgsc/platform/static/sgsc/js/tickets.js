// The operator workspace: keyboard shortcuts and small helpers, without inline scripts (the
// content security policy forbids them). Every page works without this file; it only saves
// keystrokes.
(() => {
  "use strict";

  const isTyping = (target) =>
    target instanceof HTMLElement &&
    (target.isContentEditable || ["INPUT", "TEXTAREA", "SELECT"].includes(target.tagName));

  const rows = () => Array.from(document.querySelectorAll(".queue-table tbody tr[data-href]"));
  const currentRow = () => document.querySelector(".queue-table tbody tr.current");

  const moveTo = (row) => {
    const previous = currentRow();
    if (previous) {
      previous.classList.remove("current");
      previous.removeAttribute("tabindex");
    }
    row.classList.add("current");
    row.tabIndex = -1;
    row.focus();
    row.scrollIntoView({ block: "nearest" });
  };

  const move = (step) => {
    const all = rows();
    if (!all.length) return;
    const index = all.indexOf(currentRow());
    const next = index < 0 ? (step > 0 ? 0 : all.length - 1)
      : Math.min(all.length - 1, Math.max(0, index + step));
    moveTo(all[next]);
  };

  const follow = (selector) => {
    const link = document.querySelector(selector);
    if (link instanceof HTMLAnchorElement) window.location.assign(link.href);
  };

  const toggleHelp = () => {
    const help = document.getElementById("shortcuts");
    if (help && typeof help.togglePopover === "function") help.togglePopover();
  };

  document.addEventListener("keydown", (event) => {
    // Ctrl+Enter (⌘+Enter on a Mac) sends the form being filled in.
    if (event.key === "Enter" && (event.ctrlKey || event.metaKey)) {
      const form = event.target instanceof Element
        ? event.target.closest("form[data-submit-shortcut]") : null;
      if (form) {
        event.preventDefault();
        form.requestSubmit();
      }
      return;
    }
    if (event.ctrlKey || event.metaKey || event.altKey || isTyping(event.target)) return;
    switch (event.key) {
      case "j":
        move(1);
        break;
      case "k":
        move(-1);
        break;
      case "Enter": {
        const row = currentRow();
        if (!row || event.target !== row) return;  // a focused link or button acts itself
        window.location.assign(row.dataset.href);
        break;
      }
      case "x": {
        const box = currentRow()?.querySelector("input[type=checkbox]");
        if (!box) return;
        box.checked = !box.checked;
        break;
      }
      case "/": {
        const search = document.querySelector("[data-shortcut='/']");
        if (!(search instanceof HTMLInputElement)) return;
        search.focus();
        search.select();
        break;
      }
      case "n":
        follow("a[data-shortcut='n']");
        break;
      case "u":
        follow("a[data-shortcut='u']");
        break;
      case "?":
        toggleHelp();
        break;
      default:
        return;
    }
    event.preventDefault();
  });

  document.addEventListener("change", (event) => {
    const target = event.target;
    // "Bifează toate" in the queue's header.
    if (target instanceof HTMLInputElement && target.dataset.selectAll !== undefined) {
      const table = target.closest("table");
      table?.querySelectorAll("tbody input[type=checkbox]").forEach((box) => {
        box.checked = target.checked;
      });
      return;
    }
    // A canned reply is added to the message, which stays editable.
    if (target instanceof HTMLSelectElement && target.dataset.insertInto) {
      const option = target.selectedOptions[0];
      const area = document.getElementById(target.dataset.insertInto);
      if (!option || !option.dataset.text || !(area instanceof HTMLTextAreaElement)) return;
      area.value = area.value.trim() ? `${area.value.trimEnd()}\n\n${option.dataset.text}`
        : option.dataset.text;
      target.value = "";
      area.focus();
      area.setSelectionRange(area.value.length, area.value.length);
    }
  });
})();
