/* Accessors that handlers use to read a request. */
#include <string.h>

#include "idp/http/http_internal.h"

enum http_method
http_request_method(const struct http_request *req)
{
	return req->method;
}

const char *
http_request_path(const struct http_request *req)
{
	return req->path;
}

const char *
http_request_header(const struct http_request *req, const char *name)
{
	return MHD_lookup_connection_value(req->con, MHD_HEADER_KIND, name);
}

const char *
http_request_query(const struct http_request *req, const char *name)
{
	return MHD_lookup_connection_value(req->con, MHD_GET_ARGUMENT_KIND,
					   name);
}

const char *
http_request_raw_query(const struct http_request *req)
{
	return req->raw_query;
}

const char *
http_request_body(const struct http_request *req, size_t *len)
{
	*len = req->body_len;
	return req->body;
}

const char *
http_request_client(const struct http_request *req)
{
	return req->client;
}

const char *
http_request_id(const struct http_request *req)
{
	return req->id;
}

const char *
http_request_lang(const struct http_request *req)
{
	return req->lang;
}

struct worker *
http_request_worker(const struct http_request *req)
{
	return req->worker;
}

const char *
http_request_form(const struct http_request *req, const char *name)
{
	return http_form_peek(&req->form, name);
}
