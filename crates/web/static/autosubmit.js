// Finishes a form_post sign-in: the provider's cross-site POST arrived without the (SameSite=Lax)
// session cookie, so the page posts the same fields again, now same-site, with the cookie.
document.addEventListener("DOMContentLoaded", function () {
  var form = document.querySelector("form[data-autosubmit]");
  if (form) { form.submit(); }
});
