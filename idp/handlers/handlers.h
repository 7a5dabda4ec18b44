/*
 * The route table of idpd and the handlers behind it. Handlers use the
 * idp/http request and reply API only; they never see libmicrohttpd.
 */
#ifndef IDP_HANDLERS_HANDLERS_H
#define IDP_HANDLERS_HANDLERS_H

#include <stddef.h>

#include "idp/http/http.h"

/* idpd's routes; static, lives for the whole process. */
const struct http_route *handlers_routes(size_t *n);

/* health.c */
void handle_healthz(struct http_request *req);
void handle_readyz(struct http_request *req);
void handle_metrics(struct http_request *req);

#endif
