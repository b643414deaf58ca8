// The public connection request form: the hub fields are shown only for the hub mode.
// Without JavaScript they simply stay visible (the server ignores them for "individual").
document.addEventListener("DOMContentLoaded", () => {
  const form = document.querySelector("form[data-connection-request]");
  if (!form) {
    return;
  }
  const hubFields = form.querySelector("[data-hub-fields]");
  const update = () => {
    const chosen = form.querySelector('input[name="mode"]:checked');
    hubFields.hidden = !chosen || chosen.value !== "hub";
  };
  form.addEventListener("change", (event) => {
    if (event.target instanceof HTMLInputElement && event.target.name === "mode") {
      update();
    }
  });
  update();
});
