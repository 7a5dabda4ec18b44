// Sends the SAML response form (templates/saml_post.html) to the portal
// as soon as the page is read. Without JavaScript the visible button does
// the same. Served from our origin: the page's CSP allows script-src
// 'self' and no inline script.
"use strict";
(function () {
	var form = document.getElementById("saml-post");
	if (form) {
		form.submit();
	}
})();
