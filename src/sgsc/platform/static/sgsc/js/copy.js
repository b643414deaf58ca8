// "Copy" buttons: data-copy-target names the input whose value goes to the clipboard.
document.addEventListener("click", (event) => {
  const button = event.target instanceof Element ? event.target.closest("[data-copy-target]") : null;
  if (!button) return;
  const input = document.getElementById(button.dataset.copyTarget);
  if (!input) return;
  input.select();
  navigator.clipboard.writeText(input.value).then(() => {
    button.textContent = button.dataset.copiedLabel || button.textContent;
  });
});
