// Sends a SAML message on to its destination as soon as the page is shown. Our Content
// Security Policy forbids inline script, so this lives in a file; without JavaScript the
// visible "Continuă" button of the same form does it.
document.addEventListener("DOMContentLoaded", function () {
  var form = document.querySelector("form[data-saml-autosubmit]");
  if (form) {
    form.submit();
  }
});
