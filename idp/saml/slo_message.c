/*
 * How our single logout messages are made: a LogoutRequest to each
 * portal of a chain and the LogoutResponse to the portal that asked,
 * signed with the active key the worker's cache holds (RSA-SHA256), sent
 * by the HTTP-Redirect binding (signature over the query, saml-bindings
 * 3.4.4.1) or the HTTP-POST binding (enveloped signature right after the
 * Issuer, as the schema wants).
 */
#include <string.h>
#include <zlib.h>

#include <lasso/xml/saml-2.0/samlp2_logout_request.h>
#include <lasso/xml/saml-2.0/samlp2_logout_response.h>

#include "idp/cfg/cfg.h"
#include "idp/log/log.h"
#include "idp/saml/slo_internal.h"

char *
slo_url(const struct cfg *cfg)
{
	return g_strconcat(cfg->public_url, "/saml/slo", NULL);
}

const struct saml_sp_endpoint *
slo_endpoint(const struct saml_sp_entry *sp)
{
	const struct saml_sp_endpoint *post = NULL;

	if (sp == NULL)
		return NULL;
	for (size_t i = 0; i < sp->meta.n_slo; i++) {
		if (sp->meta.slo[i].binding == SAML_BINDING_HTTP_REDIRECT)
			return &sp->meta.slo[i];
		if (post == NULL &&
		    sp->meta.slo[i].binding == SAML_BINDING_HTTP_POST)
			post = &sp->meta.slo[i];
	}
	return post;
}

/* scheme://host[:port] of @url, for the form-action of a POST reply. */
static char *
url_origin(const char *url)
{
	const char *p = strstr(url, "://");

	if (p == NULL)
		return NULL;
	p += 3;
	return g_strndup(url, (size_t)(p - url) + strcspn(p, "/?#"));
}

/* Raw deflate (RFC 1951) of @len bytes, base64 (g_free); NULL on error. */
static char *
deflate_b64(const char *data, size_t len)
{
	z_stream zs;
	uLong bound;
	Bytef *buf;
	char *out = NULL;

	memset(&zs, 0, sizeof(zs));
	if (deflateInit2(&zs, Z_BEST_COMPRESSION, Z_DEFLATED, -MAX_WBITS, 8,
			 Z_DEFAULT_STRATEGY) != Z_OK)
		return NULL;
	bound = deflateBound(&zs, (uLong)len);
	buf = g_malloc(bound);
	zs.next_in = (Bytef *)(uintptr_t)data;
	zs.avail_in = (uInt)len;
	zs.next_out = buf;
	zs.avail_out = (uInt)bound;
	if (deflate(&zs, Z_FINISH) == Z_STREAM_END)
		out = g_base64_encode(buf, zs.total_out);
	deflateEnd(&zs);
	g_free(buf);
	return out;
}

/*
 * @node (ID @id) to @location for the binding of @ep, signed, as
 * @field, into @out. Returns 0 or SAML_E_INTERNAL.
 */
static int
send_node(struct saml_worker *sw, LassoNode *node, const char *id,
	  const struct saml_sp_endpoint *ep, const char *location,
	  const char *field, const char *relay_state,
	  struct saml_slo_reply *out)
{
	xmlNode *x = NULL;
	xmlBuffer *xb = NULL;
	char *xml = NULL, *b64 = NULL, *query = NULL, *signed_query = NULL;
	char *enc;
	int rc = SAML_E_INTERNAL;

	switch (ep->binding) {
	case SAML_BINDING_HTTP_REDIRECT:
		xml = lasso_node_export_to_xml(node);
		b64 = xml ? deflate_b64(xml, strlen(xml)) : NULL;
		if (b64 == NULL)
			goto out;
		enc = g_uri_escape_string(b64, NULL, FALSE);
		query = g_strconcat(field, "=", enc, NULL);
		g_free(enc);
		if (relay_state != NULL) {
			enc = g_uri_escape_string(relay_state, NULL, FALSE);
			char *q = g_strconcat(query, "&RelayState=", enc, NULL);
			g_free(enc);
			g_free(query);
			query = q;
		}
		/* Appends SigAlg and Signature (RSA-SHA256, the key's). */
		signed_query = lasso_key_query_sign(sw->key, query);
		if (signed_query == NULL) {
			log_kv(LOG_LEVEL_ERROR, "lasso_failed", "step",
			       "key_query_sign", NULL);
			goto out;
		}
		out->kind = SAML_SLO_REDIRECT;
		out->url =
			g_strconcat(location, strchr(location, '?') ? "&" : "?",
				    signed_query, NULL);
		break;
	case SAML_BINDING_HTTP_POST:
		x = lasso_node_get_xmlNode(node, FALSE);
		if (x == NULL ||
		    !saml_xml_sign(sw->key, x, id, SAML_SIG_AFTER_ISSUER))
			goto out;
		xb = xmlBufferCreate();
		if (xb == NULL || xmlNodeDump(xb, NULL, x, 0, 0) < 0)
			goto out;
		out->kind = SAML_SLO_POST;
		out->url = g_strdup(location);
		out->field = field;
		out->message = g_base64_encode(xmlBufferContent(xb),
					       (gsize)xmlBufferLength(xb));
		out->relay_state = g_strdup(relay_state);
		break;
	case SAML_BINDING_HTTP_ARTIFACT:
	case SAML_BINDING_SOAP:
	case SAML_BINDING_PAOS:
	case SAML_BINDING_OTHER:
		/* slo_endpoint() picks only the two browser bindings. */
		log_kv(LOG_LEVEL_ERROR, "bug_slo_binding", NULL);
		goto out;
	}
	out->origin = url_origin(location);
	rc = out->origin != NULL ? 0 : SAML_E_INTERNAL;
out:
	if (xb != NULL)
		xmlBufferFree(xb);
	if (x != NULL)
		xmlFreeNode(x);
	g_free(xml);
	g_free(b64);
	g_free(query);
	g_free(signed_query);
	return rc;
}

static void
abstract_fill(LassoSamlp2RequestAbstract *ra, const char *idp, const char *id,
	      const char *destination, int64_t now)
{
	ra->ID = g_strdup(id);
	ra->Version = g_strdup("2.0");
	ra->IssueInstant = saml_time_format(now);
	ra->Destination = g_strdup(destination);
	ra->Issuer = LASSO_SAML2_NAME_ID(
		lasso_saml2_name_id_new_with_string((char *)(uintptr_t)idp));
}

int
slo_request_build(struct saml_worker *sw, const char *idp,
		  const struct saml_sp_entry *sp,
		  const struct saml_sp_endpoint *ep,
		  const struct store_slo_step *st, const char *request_id,
		  const char *relay_state, int64_t now,
		  struct saml_slo_reply *out)
{
	LassoSamlp2LogoutRequest *lr =
		LASSO_SAMLP2_LOGOUT_REQUEST(lasso_samlp2_logout_request_new());
	LassoSaml2NameID *n = LASSO_SAML2_NAME_ID(lasso_saml2_name_id_new());
	int rc;

	abstract_fill(&lr->parent, idp, request_id, ep->location, now);
	/* The NameID exactly as the assertion had it. */
	n->content = g_strdup(st->nameid);
	n->Format = g_strdup(strcmp(st->nameid_format, "persistent") == 0
				     ? SSO_NAMEID_PERSISTENT
				     : SSO_NAMEID_TRANSIENT);
	n->NameQualifier = g_strdup(idp);
	n->SPNameQualifier = g_strdup(sp->entity_id);
	lr->NameID = n;
	lr->SessionIndex = g_strdup(st->session_index);
	lr->NotOnOrAfter = saml_time_format(now + SAML_REQUEST_MAX_AGE_S);
	lr->Reason = g_strdup("urn:oasis:names:tc:SAML:2.0:logout:user");
	rc = send_node(sw, LASSO_NODE(lr), request_id, ep, ep->location,
		       "SAMLRequest", relay_state, out);
	g_object_unref(lr);
	return rc;
}

int
slo_response_build(struct saml_worker *sw, const char *idp,
		   const struct saml_sp_endpoint *ep,
		   const char *in_response_to, const char *status,
		   const char *substatus, const char *relay_state, int64_t now,
		   struct saml_slo_reply *out)
{
	LassoSamlp2StatusResponse *r = LASSO_SAMLP2_STATUS_RESPONSE(
		lasso_samlp2_logout_response_new());
	LassoSamlp2Status *s = LASSO_SAMLP2_STATUS(lasso_samlp2_status_new());
	LassoSamlp2StatusCode *top =
		LASSO_SAMLP2_STATUS_CODE(lasso_samlp2_status_code_new());
	const char *location =
		ep->response_location ? ep->response_location : ep->location;
	char rnd[SAML_PENDING_ID_LEN + 1];
	char *id;
	int rc;

	sso_random_id(rnd);
	id = g_strconcat("_", rnd, NULL);
	r->ID = g_strdup(id);
	r->Version = g_strdup("2.0");
	r->IssueInstant = saml_time_format(now);
	r->Destination = g_strdup(location);
	r->InResponseTo = g_strdup(in_response_to);
	r->Issuer = LASSO_SAML2_NAME_ID(
		lasso_saml2_name_id_new_with_string((char *)(uintptr_t)idp));
	top->Value = g_strdup(status);
	if (substatus != NULL) {
		LassoSamlp2StatusCode *sub = LASSO_SAMLP2_STATUS_CODE(
			lasso_samlp2_status_code_new());
		sub->Value = g_strdup(substatus);
		top->StatusCode = sub;
	}
	s->StatusCode = top;
	r->Status = s;
	rc = send_node(sw, LASSO_NODE(r), id, ep, location, "SAMLResponse",
		       relay_state, out);
	g_object_unref(r);
	g_free(id);
	return rc;
}
