/*
 * The one-time initialisation of lasso, libxml2, xmlsec and libcurl for
 * everything in idp/saml.
 */
#include <pthread.h>

#include <curl/curl.h>
#include <glib.h>
#include <lasso/lasso.h>

#include "idp/log/log.h"
#include "idp/saml/saml_sp.h"

static pthread_once_t once = PTHREAD_ONCE_INIT;
static int init_rc;

/*
 * lasso reports through g_log in the "Lasso" domain, which by default
 * prints to stderr: that would put stray lines before idpctl's one-line
 * answer and unstructured text into idpd's JSON log. Every lasso call we
 * make checks its result and says what failed, so its own messages are
 * only worth keeping at debug level. (G_LOG_LEVEL_ERROR still aborts,
 * as glib always does.)
 */
static void
lasso_log_handler(const gchar *domain, GLogLevelFlags level,
		  const gchar *message, gpointer data)
{
	(void)domain;
	(void)level;
	(void)data;
	log_kv(LOG_LEVEL_DEBUG, "lasso_message", "message", message, NULL);
}

static void
init_once(void)
{
	(void)g_log_set_handler("Lasso",
				G_LOG_LEVEL_MASK | G_LOG_FLAG_FATAL |
					G_LOG_FLAG_RECURSION,
				lasso_log_handler, NULL);
	/*
	 * Also process-wide and not thread-safe in older libcurl, so here
	 * under the same once; idp/mail calls it too, which is harmless.
	 */
	if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK) {
		log_kv(LOG_LEVEL_ERROR, "curl_init_failed", NULL);
		init_rc = IDP_ERR_INTERNAL;
		return;
	}
	if (lasso_init() != 0) {
		log_kv(LOG_LEVEL_ERROR, "lasso_init_failed", NULL);
		init_rc = IDP_ERR_INTERNAL;
	}
}

int
saml_init(void)
{
	if (pthread_once(&once, init_once) != 0)
		return IDP_ERR_INTERNAL;
	return init_rc;
}
